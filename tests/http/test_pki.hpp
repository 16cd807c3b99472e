#pragma once
// Test certificates made with the `openssl` CLI in a fresh temp directory
// (removed by the destructor): a CA, two server certificates for 127.0.0.1
// and localhost (serials 1001 and 2002, for rotation tests), a client
// certificate, and a client certificate from a CA nobody trusts. P-256 keys.

#include <filesystem>
#include <memory>
#include <string>

namespace zastava::testing {

struct CertAndKey {
  std::string cert;
  std::string key;
};

class TestPki {
 public:
  // Throws std::runtime_error when openssl fails.
  static std::unique_ptr<TestPki> create();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
  [[nodiscard]] std::string ca_cert() const { return (dir_ / "ca.crt").string(); }
  [[nodiscard]] CertAndKey server1() const { return pair("server1"); }  // CN=server-1, serial 1001
  [[nodiscard]] CertAndKey server2() const { return pair("server2"); }  // CN=server-2, serial 2002
  [[nodiscard]] CertAndKey client() const { return pair("client"); }    // CN=client-1,O=zastava
  [[nodiscard]] CertAndKey rogue_client() const { return pair("rogue"); }

 private:
  explicit TestPki(std::filesystem::path dir) : dir_(std::move(dir)) {}
  [[nodiscard]] CertAndKey pair(const std::string& name) const {
    return {(dir_ / (name + ".crt")).string(), (dir_ / (name + ".key")).string()};
  }
  std::filesystem::path dir_;
};

// Copies `from` over `to` atomically (write a temp file, rename), as a
// Secret volume update replaces files.
void replace_file(const std::string& from, const std::string& to);
void write_file(const std::string& path, const std::string& content);

}  // namespace zastava::testing
