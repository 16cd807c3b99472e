// stella digest [--alg sha256|sha512|blake3] FILE...
// Prints "<alg>:<hex>  <file>" for each file ("-" is standard input), the
// same content identities the library uses. Files are streamed, so any size
// works in constant memory. A file that cannot be read is reported on stderr
// and the others are still hashed; the exit code is then 1.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "../args.hpp"
#include "../commands.hpp"
#include "digest/blake3.hpp"
#include "digest/content_id.hpp"
#include "digest/sha2.hpp"

namespace zastava::cli {
namespace {

using digest::Algorithm;

constexpr const char* kUsage = "usage: stella digest [--alg sha256|sha512|blake3] FILE...\n";

// Large reads: the BLAKE3 kernels want many whole chunks at a time.
constexpr std::size_t kReadSize = std::size_t{1} << 20;

std::optional<Algorithm> algorithm_named(const std::string& name) {
  for (const auto algorithm : {Algorithm::kSha256, Algorithm::kSha512, Algorithm::kBlake3}) {
    if (digest::algorithm_name(algorithm) == name) return algorithm;
  }
  return std::nullopt;
}

// An open input: a file we close, or standard input, which we do not.
class Input {
 public:
  static Result<Input> open(const std::string& path) {
    if (path == "-") return Input(stdin, false);
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return make_error(ErrorCode::kIo, std::strerror(errno));
    return Input(file, true);
  }

  // Reads up to buffer.size() bytes; an empty view at the end of the input.
  Result<ByteView> read(std::span<std::uint8_t> buffer) {
    const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), file_.get());
    if (got == 0 && std::ferror(file_.get()) != 0) {
      return make_error(ErrorCode::kIo, std::strerror(errno));
    }
    return ByteView(buffer.first(got));
  }

 private:
  struct Close {
    bool owned;
    void operator()(std::FILE* file) const noexcept {
      if (owned) std::fclose(file);
    }
  };
  Input(std::FILE* file, bool owned) : file_(file, Close{owned}) {
    std::setvbuf(file, nullptr, _IONBF, 0);  // our reads are already large
  }
  std::unique_ptr<std::FILE, Close> file_;
};

// Feeds the whole input to `hasher`, then returns `finish(hasher)`.
template <typename Hasher, typename Finish>
Result<Bytes> hash_input(Input& input, std::span<std::uint8_t> buffer, Hasher hasher,
                         Finish finish) {
  for (;;) {
    auto chunk = input.read(buffer);
    if (!chunk.ok()) return chunk.error();
    if (chunk->empty()) break;
    hasher.update(*chunk);
  }
  const auto digest = finish(hasher);
  return Bytes(digest.begin(), digest.end());
}

Result<digest::ContentId> digest_file(const std::string& path, Algorithm algorithm,
                                      std::span<std::uint8_t> buffer) {
  auto input = Input::open(path);
  if (!input.ok()) return input.error();
  Result<Bytes> digest = Bytes{};
  switch (algorithm) {
    case Algorithm::kSha256:
      digest =
          hash_input(*input, buffer, digest::Sha256Hasher(), [](auto& h) { return h.finish(); });
      break;
    case Algorithm::kSha512:
      digest =
          hash_input(*input, buffer, digest::Sha512Hasher(), [](auto& h) { return h.finish(); });
      break;
    case Algorithm::kBlake3:
      digest =
          hash_input(*input, buffer, digest::Blake3Hasher(), [](auto& h) { return h.finalize(); });
      break;
  }
  if (!digest.ok()) return digest.error();
  return digest::ContentId(algorithm, std::move(*digest));
}

}  // namespace

int run_digest(const Argv& argv) {
  auto args = Args::parse(argv, ArgSpec{{"alg"}, {"help"}});
  if (!args.ok()) {
    std::cerr << "stella digest: " << args.error().message << "\n" << kUsage;
    return kExitUsage;
  }
  if (args->has("help")) {
    std::cout << kUsage
              << "Prints <alg>:<hex>  <file> for each FILE ('-' is standard input); "
                 "the default algorithm is sha256.\n";
    return kExitOk;
  }
  const std::string name = args->value("alg").value_or("sha256");
  const auto algorithm = algorithm_named(name);
  if (!algorithm) {
    std::cerr << "stella digest: unknown --alg '" << name
              << "' (expected sha256, sha512 or blake3)\n"
              << kUsage;
    return kExitUsage;
  }
  if (args->positional().empty()) {
    std::cerr << "stella digest: no FILE given\n" << kUsage;
    return kExitUsage;
  }

  Bytes buffer(kReadSize);
  int exit_code = kExitOk;
  for (const std::string& path : args->positional()) {
    const auto id = digest_file(path, *algorithm, buffer);
    if (id.ok()) {
      std::cout << id->to_string() << "  " << path << "\n";
    } else {
      std::cout.flush();  // keep stdout and stderr lines in order on a terminal
      std::cerr << "stella digest: " << path << ": " << id.error().message << "\n";
      exit_code = kExitFailure;
    }
  }
  return exit_code;
}

}  // namespace zastava::cli
