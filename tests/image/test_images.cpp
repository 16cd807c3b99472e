#include "test_images.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "base/hex.hpp"
#include "digest/sha2.hpp"

namespace zastava::image::testing {
namespace {

const std::filesystem::path kScript =
    std::filesystem::path(ZASTAVA_SOURCE_DIR) / "tests" / "fixtures" / "make_images.sh";

// Holds an exclusive flock for its lifetime.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

std::optional<std::filesystem::path> build_images() {
  const std::filesystem::path directory = ZASTAVA_IMAGE_FIXTURE_DIR;
  std::filesystem::create_directories(directory);
  const std::string script_hash =
      encoding::hex_encode(digest::sha256(as_bytes(read_file(kScript))));
  const auto stamp = directory / ".built-by";
  FileLock lock(directory / ".lock");
  std::error_code error;
  if (std::filesystem::exists(stamp, error) && read_file(stamp) == script_hash) return directory;
  const std::string command = "bash '" + kScript.string() + "' '" + directory.string() + "' > '" +
                              (directory / "make_images.log").string() + "' 2>&1";
  if (std::system(command.c_str()) != 0) {
    ADD_FAILURE() << "make_images.sh failed; see " << (directory / "make_images.log") << ":\n"
                  << read_file(directory / "make_images.log");
    return std::nullopt;
  }
  write_file(stamp, script_hash);
  return directory;
}

}  // namespace

const std::filesystem::path& test_images() {
  static const std::filesystem::path directory = build_images().value_or(std::filesystem::path());
  return directory;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "zastava-image-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

}  // namespace zastava::image::testing
