#pragma once
// For a forked child about to exec a server: stdout and stderr appended to
// `log_path` (the test prints its tail when the server fails), stdin from
// /dev/null. Only async-signal-safe calls (open, dup2), so it is safe
// between fork() and exec() in a multi-threaded test process.

namespace zastava::testing {

void redirect_child_stdio(const char* log_path) noexcept;

}  // namespace zastava::testing
