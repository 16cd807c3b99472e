// stella certs --service NAME --namespace NS --out DIR [--days N] [--local]:
// the TLS material a validating webhook needs, without cert-manager.
//
// Writes into DIR:
//   ca.crt   a self-signed CA (ECDSA P-256, basicConstraints CA:TRUE, keyCertSign)   0644
//   ca.key   its private key                                                          0600
//   tls.crt  the serving certificate signed by the CA, with the DNS names
//            kube-apiserver checks: NAME, NAME.NS, NAME.NS.svc,
//            NAME.NS.svc.cluster.local (+ localhost and 127.0.0.1 with --local)  0644
//   tls.key  its private key (ECDSA P-256)                                       0600
// and prints the base64 of ca.crt: the caBundle of the
// ValidatingWebhookConfiguration's clientConfig.
//
// Keys are written with mode 0600 from the start (open(O_CREAT, 0600)), never
// made readable and then narrowed.
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "../args.hpp"
#include "../cli_io.hpp"
#include "../commands.hpp"
#include "base/base64.hpp"

namespace zastava::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: stella certs --service NAME --namespace NS --out DIR [--days N] [--local]\n"
    "  Makes a CA and a serving certificate for the webhook's Service (ECDSA P-256):\n"
    "  DIR/ca.crt, DIR/ca.key, DIR/tls.crt, DIR/tls.key (keys 0600, certificates 0644).\n"
    "  The serving certificate's SANs: NAME, NAME.NS, NAME.NS.svc,\n"
    "  NAME.NS.svc.cluster.local. Prints the base64 caBundle for the\n"
    "  ValidatingWebhookConfiguration.\n"
    "  --days N   validity of both certificates (default 365)\n"
    "  --local    also localhost and 127.0.0.1 (a webhook run on this machine)\n";

constexpr long kDefaultDays = 365;
constexpr long kMaxDays = 3650;

int usage_error(std::string_view reason) {
  std::cerr << "stella certs: " << reason << "\n" << kUsage;
  return kExitUsage;
}

int fail(std::string_view reason) {
  std::cerr << "stella certs: " << reason << "\n";
  return kExitFailure;
}

// unique_ptr deleters for the OpenSSL objects used here.
template <auto FreeFunction>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* object) const noexcept {
    FreeFunction(object);
  }
};
using KeyHandle = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using CertHandle = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using ExtensionHandle = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using MemoryBio = std::unique_ptr<BIO, OpenSslDeleter<BIO_free>>;

// The oldest OpenSSL error as text (the queue is cleared), for messages.
std::string openssl_error(std::string_view what) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return std::string(what);
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return std::string(what) + ": " + text;
}

Result<KeyHandle> generate_p256_key() {
  KeyHandle key(EVP_EC_gen("P-256"));
  if (!key) return make_error(ErrorCode::kCrypto, openssl_error("cannot generate a P-256 key"));
  return key;
}

// A random positive 127-bit serial number (RFC 5280: at most 20 octets).
Status set_random_serial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return make_error(ErrorCode::kCrypto, openssl_error("no random bytes for a serial"));
  }
  bytes[0] &= 0x7f;
  bytes[0] |= 0x01;
  std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>> number(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!number || BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(cert)) == nullptr) {
    return make_error(ErrorCode::kCrypto, openssl_error("cannot set the serial number"));
  }
  return {};
}

Status add_extension(X509* cert, X509V3_CTX* context, int nid, const std::string& value) {
  ExtensionHandle extension(X509V3_EXT_conf_nid(nullptr, context, nid, value.c_str()));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1) {
    return make_error(ErrorCode::kCrypto,
                      openssl_error(std::string("cannot add extension ") + OBJ_nid2sn(nid)));
  }
  return {};
}

struct CertificateRequest {
  std::string common_name;
  const EVP_PKEY* subject_key = nullptr;
  X509* issuer = nullptr;          // nullptr: self-signed
  EVP_PKEY* issuer_key = nullptr;  // the CA's key, or the subject's own
  bool is_ca = false;
  std::vector<std::string> subject_alt_names;  // "DNS:x", "IP:1.2.3.4"
  long days = kDefaultDays;
};

Result<CertHandle> issue_certificate(const CertificateRequest& request) {
  CertHandle cert(X509_new());
  if (!cert) return make_error(ErrorCode::kCrypto, openssl_error("X509_new"));
  X509_set_version(cert.get(), 2);  // v3
  if (Status serial = set_random_serial(cert.get()); !serial) return serial.error();
  // Back-dated a little so a cluster whose clock is slightly behind accepts it.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), request.days * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* common_name = reinterpret_cast<const unsigned char*>(request.common_name.c_str());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, common_name, -1, -1, 0) != 1) {
    return make_error(ErrorCode::kCrypto, openssl_error("cannot set the subject"));
  }
  X509* issuer = request.issuer != nullptr ? request.issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer));
  if (X509_set_pubkey(cert.get(), const_cast<EVP_PKEY*>(request.subject_key)) != 1) {
    return make_error(ErrorCode::kCrypto, openssl_error("cannot set the public key"));
  }
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert.get(), nullptr, nullptr, 0);
  const std::string usage =
      request.is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,keyEncipherment";
  std::vector<std::pair<int, std::string>> extensions = {
      {NID_basic_constraints, request.is_ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE"},
      {NID_key_usage, usage},
      {NID_subject_key_identifier, "hash"},
  };
  if (request.issuer != nullptr) extensions.emplace_back(NID_authority_key_identifier, "keyid");
  if (!request.is_ca) extensions.emplace_back(NID_ext_key_usage, "serverAuth");
  if (!request.subject_alt_names.empty()) {
    std::string names;
    for (const auto& san : request.subject_alt_names) names += (names.empty() ? "" : ",") + san;
    extensions.emplace_back(NID_subject_alt_name, names);
  }
  for (const auto& [nid, value] : extensions) {
    if (Status added = add_extension(cert.get(), &context, nid, value); !added) {
      return added.error();
    }
  }
  if (X509_sign(cert.get(), request.issuer_key, EVP_sha256()) == 0) {
    return make_error(ErrorCode::kCrypto, openssl_error("cannot sign the certificate"));
  }
  return cert;
}

Result<std::string> certificate_pem(X509* cert) {
  MemoryBio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return make_error(ErrorCode::kCrypto, openssl_error("cannot write a certificate"));
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Result<std::string> private_key_pem(EVP_PKEY* key) {
  MemoryBio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return make_error(ErrorCode::kCrypto, openssl_error("cannot write a private key"));
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// Writes `content` to `path` (replacing it) with exactly `mode`: a new file is
// created with that mode, so a key is never readable by others, not even briefly.
Status write_with_mode(const std::filesystem::path& path, std::string_view content, mode_t mode) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  ::unlink(temporary.c_str());
  FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    return make_error(ErrorCode::kIo,
                      "cannot create '" + temporary.string() + "': " + std::strerror(errno));
  }
  // The umask may have narrowed the mode; certificates must be world-readable.
  if (::fchmod(fd.get(), mode) != 0) {
    return make_error(ErrorCode::kIo, "cannot chmod '" + temporary.string() + "'");
  }
  std::string_view rest = content;
  while (!rest.empty()) {
    const ssize_t written = ::write(fd.get(), rest.data(), rest.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) {
      return make_error(ErrorCode::kIo,
                        "cannot write '" + temporary.string() + "': " + std::strerror(errno));
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  if (::fsync(fd.get()) != 0 || std::rename(temporary.c_str(), path.c_str()) != 0) {
    return make_error(ErrorCode::kIo,
                      "cannot write '" + path.string() + "': " + std::strerror(errno));
  }
  return {};
}

struct CertsOptions {
  std::string service;
  std::string namespace_name;
  std::filesystem::path out;
  long days = kDefaultDays;
  bool local = false;
};

std::vector<std::string> serving_names(const CertsOptions& options) {
  const std::string& svc = options.service;
  const std::string& ns = options.namespace_name;
  std::vector<std::string> names = {"DNS:" + svc, "DNS:" + svc + "." + ns,
                                    "DNS:" + svc + "." + ns + ".svc",
                                    "DNS:" + svc + "." + ns + ".svc.cluster.local"};
  if (options.local) {
    names.emplace_back("DNS:localhost");
    names.emplace_back("IP:127.0.0.1");
  }
  return names;
}

// A DNS-1123 label: what a Service name and a namespace must be.
bool is_dns_label(std::string_view text) {
  if (text.empty() || text.size() > 63 || text.front() == '-' || text.back() == '-') return false;
  for (const char c : text) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Result<CertsOptions> read_options(const Args& args) {
  CertsOptions options;
  const auto service = args.value("service");
  const auto ns = args.value("namespace");
  const auto out = args.value("out");
  if (!service || !ns || !out) {
    return make_error(ErrorCode::kInvalidArgument, "--service, --namespace and --out are required");
  }
  if (!is_dns_label(*service) || !is_dns_label(*ns)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--service and --namespace must be DNS labels (a-z, 0-9, '-')");
  }
  options.service = *service;
  options.namespace_name = *ns;
  options.out = *out;
  options.local = args.has("local");
  if (const auto days = args.value("days")) {
    const char* end = days->data() + days->size();
    const auto parsed = std::from_chars(days->data(), end, options.days);
    if (parsed.ec != std::errc() || parsed.ptr != end || options.days < 1 ||
        options.days > kMaxDays) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--days must be an integer from 1 to " + std::to_string(kMaxDays));
    }
  }
  return options;
}

Status make_certificates(const CertsOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(options.out, error);
  if (error) {
    return make_error(ErrorCode::kIo,
                      "cannot create '" + options.out.string() + "': " + error.message());
  }
  auto ca_key = generate_p256_key();
  if (!ca_key) return ca_key.error();
  auto ca_cert = issue_certificate({.common_name = options.service + "-ca",
                                    .subject_key = ca_key->get(),
                                    .issuer_key = ca_key->get(),
                                    .is_ca = true,
                                    .subject_alt_names = {},
                                    .days = options.days});
  if (!ca_cert) return ca_cert.error();
  auto serving_key = generate_p256_key();
  if (!serving_key) return serving_key.error();
  auto serving_cert =
      issue_certificate({.common_name = options.service + "." + options.namespace_name + ".svc",
                         .subject_key = serving_key->get(),
                         .issuer = ca_cert->get(),
                         .issuer_key = ca_key->get(),
                         .subject_alt_names = serving_names(options),
                         .days = options.days});
  if (!serving_cert) return serving_cert.error();

  auto ca_pem = certificate_pem(ca_cert->get());
  auto ca_key_pem = private_key_pem(ca_key->get());
  auto tls_pem = certificate_pem(serving_cert->get());
  auto tls_key_pem = private_key_pem(serving_key->get());
  for (const auto* result : {&ca_pem, &ca_key_pem, &tls_pem, &tls_key_pem}) {
    if (!*result) return result->error();
  }
  const struct {
    const char* name;
    const std::string& content;
    mode_t mode;
  } files[] = {{"ca.key", *ca_key_pem, 0600},
               {"tls.key", *tls_key_pem, 0600},
               {"ca.crt", *ca_pem, 0644},
               {"tls.crt", *tls_pem, 0644}};
  for (const auto& file : files) {
    if (Status written = write_with_mode(options.out / file.name, file.content, file.mode);
        !written) {
      return written;
    }
  }
  std::cout << "wrote " << (options.out / "ca.crt").string() << ", ca.key, tls.crt, tls.key\n"
            << "serving names:";
  for (const auto& name : serving_names(options))
    std::cout << " " << name.substr(name.find(':') + 1);
  std::cout << "\ncaBundle (ValidatingWebhookConfiguration webhooks[].clientConfig.caBundle):\n"
            << encoding::base64_encode(as_bytes(*ca_pem)) << "\n";
  return {};
}

}  // namespace

int run_certs(const Argv& argv) {
  const Result<Args> args =
      Args::parse(argv, ArgSpec{{"service", "namespace", "out", "days"}, {"local", "help"}});
  if (!args) return usage_error(args.error().message);
  if (args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args->positional().empty()) return usage_error("unexpected argument");
  const Result<CertsOptions> options = read_options(*args);
  if (!options) return usage_error(options.error().message);
  if (Status made = make_certificates(*options); !made) return fail(made.error().message);
  return kExitOk;
}

}  // namespace zastava::cli
