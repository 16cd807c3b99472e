#pragma once
// The final filesystems of the test images, written from what
// tests/fixtures/make_images.sh puts in them (keep the two in step). Hashes
// are computed by the tests from these contents.

#include <cstdint>
#include <string>
#include <vector>

namespace zastava::image::testing {

struct ExpectedFile {
  std::string path;
  std::uint32_t mode;
  std::string content;  // a symlink: its target
  bool symlink = false;
};

inline constexpr std::int64_t kImageMtime = 1704067200;  // 2024-01-01T00:00:00Z

inline const std::string kBaseLock =
    R"({"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"app","version":"1.0.0","dependencies":{"left-pad":"1.3.0"}},"node_modules/left-pad":{"version":"1.3.0"}}})"
    "\n";
inline const std::string kChangedLock =
    R"({"name":"app","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"app","version":"1.0.0","dependencies":{"is-odd":"3.0.1","left-pad":"1.3.0"}},"node_modules/is-odd":{"version":"3.0.1"},"node_modules/left-pad":{"version":"1.3.0"}}})"
    "\n";
inline const std::string kBaseStatus =
    "Package: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\n\n"
    "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n\n"
    "Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u1\n";
inline const std::string kChangedStatus =
    "Package: base-files\nStatus: install ok installed\nVersion: 12.4+deb12u5\n\n"
    "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n\n"
    "Package: openssl\nStatus: install ok installed\nVersion: 3.0.15-1~deb12u1\n\n"
    "Package: curl\nStatus: install ok installed\nVersion: 7.88.1-10+deb12u8\n";
inline const std::string kOsRelease =
    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian "
    "GNU/Linux\"\nVERSION_ID=\"12\"\nID=debian\n";

inline std::vector<ExpectedFile> expected_base() {
  return {
      {"/app/node_modules/left-pad/index.js", 0644,
       "module.exports = (s, n) => String(s).padStart(n);\n"},
      {"/app/node_modules/left-pad/package.json", 0644,
       "{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"main\":\"index.js\"}\n"},
      {"/app/package-lock.json", 0644, kBaseLock},
      {"/app/package.json", 0644,
       "{\"name\":\"app\",\"version\":\"1.0.0\",\"dependencies\":{\"left-pad\":\"1.3.0\"}}\n"},
      {"/etc/app/app.conf", 0644, "listen = 8080\nlog_level = info\n"},
      {"/etc/os-release", 0644, kOsRelease},
      {"/opt/cache/a", 0644, "cache a\n"},
      {"/opt/cache/b", 0600, "cache b\n"},
      {"/opt/old.txt", 0644, "old\n"},
      {"/srv/data/one.txt", 0644, "one\n"},
      {"/srv/data/two.txt", 0644, "two\n"},
      {"/usr/bin/tool", 0755, "#!/bin/sh\necho tool v1\n"},
      {"/usr/lib/x86_64-linux-gnu/libfoo.so.1", 0755, "\177ELF libfoo v1\n"},
      {"/var/lib/dpkg/status", 0644, kBaseStatus},
  };
}

inline std::vector<ExpectedFile> expected_changed() {
  return {
      {"/app/node_modules/is-odd/index.js", 0644, "module.exports = (n) => n % 2 === 1;\n"},
      {"/app/node_modules/is-odd/package.json", 0644,
       "{\"name\":\"is-odd\",\"version\":\"3.0.1\",\"main\":\"index.js\"}\n"},
      {"/app/node_modules/left-pad/index.js", 0644,
       "module.exports = (s, n) => String(s).padStart(n);\n"},
      {"/app/node_modules/left-pad/package.json", 0644,
       "{\"name\":\"left-pad\",\"version\":\"1.3.0\",\"main\":\"index.js\"}\n"},
      {"/app/package-lock.json", 0644, kChangedLock},
      {"/app/package.json", 0644,
       "{\"name\":\"app\",\"version\":\"1.0.0\",\"dependencies\":{\"is-odd\":\"3.0.1\",\"left-"
       "pad\":\"1.3.0\"}}\n"},
      {"/etc/app/app.conf", 0644, "listen = 9090\nlog_level = debug\n"},
      {"/etc/os-release", 0644, kOsRelease},
      {"/opt/cache/a", 0644, "cache a\n"},
      {"/opt/cache/b", 0600, "cache b\n"},
      {"/srv/data/three.txt", 0644, "three\n"},
      {"/usr/bin/tool", 0755, "#!/bin/sh\necho tool v2 rebuilt\n"},
      {"/usr/bin/tool-alias", 0777, "tool", true},
      {"/usr/bin/tool-link", 0755, "#!/bin/sh\necho tool v2 rebuilt\n"},
      {"/usr/lib/x86_64-linux-gnu/libfoo.so.1", 0755, "\177ELF libfoo v1\n"},
      {"/var/lib/dpkg/status", 0644, kChangedStatus},
  };
}

}  // namespace zastava::image::testing
