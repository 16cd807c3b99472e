#pragma once
// The shared test images (tests/fixtures/make_images.sh), built on first use
// into the build tree and reused by every test process while the script is
// unchanged. A file lock keeps parallel test processes from building twice.

#include <filesystem>
#include <string>

namespace zastava::image::testing {

// The directory holding oci/, oci-multi/, base.tar, changed.tar,
// base-rootfs/ and changed-rootfs/. Fails the calling test (via
// ADD_FAILURE) and returns an empty path when the script fails.
const std::filesystem::path& test_images();

// A fresh temporary directory, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& content);

}  // namespace zastava::image::testing
