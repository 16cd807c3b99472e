#include "test_pki.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace zastava::testing {
namespace {

namespace fs = std::filesystem;

void run(const std::string& command, const fs::path& dir) {
  const std::string full = "cd '" + dir.string() + "' && " + command + " >>openssl.log 2>&1";
  if (std::system(full.c_str()) != 0) {
    std::ifstream log(dir / "openssl.log");
    std::stringstream text;
    text << log.rdbuf();
    throw std::runtime_error("openssl failed: " + command + "\n" + text.str());
  }
}

void make_key(const std::string& name, const fs::path& dir) {
  run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + name + ".key", dir);
}

void make_ca(const std::string& name, const std::string& cn, const fs::path& dir) {
  make_key(name, dir);
  run("openssl req -x509 -new -key " + name + ".key -subj '/CN=" + cn + "' -days 2 -out " + name +
          ".crt -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign",
      dir);
}

void make_leaf(const std::string& name, const std::string& subject, const std::string& serial,
               const std::string& ca, const std::string& extensions, const fs::path& dir) {
  make_key(name, dir);
  write_file((dir / (name + ".ext")).string(), extensions);
  run("openssl req -new -key " + name + ".key -subj '" + subject + "' -out " + name + ".csr", dir);
  run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca +
          ".key -set_serial " + serial + " -days 2 -out " + name + ".crt -extfile " + name + ".ext",
      dir);
}

}  // namespace

std::unique_ptr<TestPki> TestPki::create() {
  std::random_device random;
  const fs::path dir = fs::temp_directory_path() / ("zastava-pki-" + std::to_string(::getpid()) +
                                                    "-" + std::to_string(random()));
  fs::create_directories(dir);
  auto pki = std::unique_ptr<TestPki>(new TestPki(dir));
  const std::string server_ext =
      "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
      "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  const std::string client_ext = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n";
  make_ca("ca", "Zastava Test CA", dir);
  make_leaf("server1", "/CN=server-1/O=zastava", "0x1001", "ca", server_ext, dir);
  make_leaf("server2", "/CN=server-2/O=zastava", "0x2002", "ca", server_ext, dir);
  make_leaf("client", "/CN=client-1/O=zastava", "0x3003", "ca", client_ext, dir);
  make_ca("rogueca", "Rogue CA", dir);
  make_leaf("rogue", "/CN=rogue/O=zastava", "0x4004", "rogueca", client_ext, dir);
  return pki;
}

TestPki::~TestPki() {
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

void replace_file(const std::string& from, const std::string& to) {
  const std::string temp = to + ".tmp";
  fs::copy_file(from, temp, fs::copy_options::overwrite_existing);
  fs::rename(temp, to);
}

}  // namespace zastava::testing
