#include "child_stdio.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace zastava::testing {

void redirect_child_stdio(const char* log_path) noexcept {
  const int fd = ::open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd >= 0) {
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
  }
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
}

}  // namespace zastava::testing
