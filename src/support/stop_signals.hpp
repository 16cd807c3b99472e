#pragma once
// How the binaries stop: SIGTERM (the kubelet) and SIGINT (Ctrl-C) are
// blocked in the main thread before any other thread starts, so every thread
// inherits the mask and the signals are only ever taken where the binary
// waits for them (sigwait / sigtimedwait), never inside a handler.

#include <signal.h>

namespace zastava::support {

// Blocks SIGTERM and SIGINT in the calling thread (and the threads it starts
// later); returns the set to wait on.
sigset_t block_stop_signals();

}  // namespace zastava::support
