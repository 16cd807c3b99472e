#include "store/durable_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace zastava::store {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.release();
  }
  return *this;
}

int UniqueFd::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

Error io_error(std::string_view what, const std::filesystem::path& path) {
  const int error = errno;
  return make_error(ErrorCode::kIo,
                    std::string(what) + " " + path.string() + ": " + std::strerror(error));
}

namespace {

Result<UniqueFd> open_file(const std::filesystem::path& path, int flags, std::string_view what) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(what, path);
  return UniqueFd(fd);
}

// The pid written in a lock file, or "unknown".
std::string lock_owner(int fd) {
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) return "unknown";
  std::string text(buffer, static_cast<std::size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "unknown" : text;
}

}  // namespace

Result<DirectoryLock> DirectoryLock::acquire(const std::filesystem::path& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    return make_error(ErrorCode::kIo, "cannot create store directory " + directory.string() + ": " +
                                          error.message());
  }
  const std::filesystem::path path = directory / "LOCK";
  auto fd = open_file(path, O_RDWR | O_CREAT, "cannot open lock file");
  if (!fd) return fd.error();
  if (::flock(fd->get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return make_error(ErrorCode::kIo, "store " + directory.string() +
                                            " is in use by another process (pid " +
                                            lock_owner(fd->get()) + ")");
    }
    return io_error("cannot lock", path);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd->get(), 0) != 0 || ::pwrite(fd->get(), pid.data(), pid.size(), 0) < 0) {
    return io_error("cannot write the owner's pid to", path);
  }
  return DirectoryLock(std::move(*fd));
}

Status sync_directory(const std::filesystem::path& directory) {
  auto fd = open_file(directory, O_RDONLY | O_DIRECTORY, "cannot open directory");
  if (!fd) return fd.error();
  if (::fsync(fd->get()) != 0) return io_error("cannot fsync directory", directory);
  return ok_status();
}

Status write_all(int fd, ByteView data, const std::filesystem::path& path) {
  std::size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot write", path);
    }
    written += static_cast<std::size_t>(n);
  }
  return ok_status();
}

Status write_file_atomically(const std::filesystem::path& path, ByteView data, bool sync_parent) {
  std::filesystem::path temp = path;
  temp += ".tmp";
  {
    auto fd = open_file(temp, O_WRONLY | O_CREAT | O_TRUNC, "cannot create");
    if (!fd) return fd.error();
    if (Status status = write_all(fd->get(), data, temp); !status) return status;
    if (::fsync(fd->get()) != 0) return io_error("cannot fsync", temp);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) return io_error("cannot rename into", path);
  return sync_parent ? sync_directory(path.parent_path()) : ok_status();
}

Result<Bytes> read_whole_file(const std::filesystem::path& path) {
  const int raw = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (raw < 0) {
    if (errno == ENOENT) return make_error(ErrorCode::kNotFound, path.string() + " does not exist");
    return io_error("cannot open", path);
  }
  const UniqueFd fd(raw);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return io_error("cannot stat", path);
  Bytes data(static_cast<std::size_t>(info.st_size));
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::read(fd.get(), data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("cannot read", path);
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  data.resize(done);
  return data;
}

}  // namespace zastava::store
