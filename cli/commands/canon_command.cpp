// stella canon [FILE|-] [--lines]: RFC 8785 canonical JSON.
//
// Whole-document mode reads all of FILE (or stdin) and writes its canonical
// form with no trailing newline, so the output can be hashed as is. With
// --lines every input line is a document of its own and every output line
// answers it: the canonical form, or "!" and the reason it was rejected.
// Lines are streamed, never all held at once.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "../args.hpp"
#include "../commands.hpp"
#include "json/canonical_json.hpp"

namespace zastava::cli {
namespace {

constexpr std::string_view kUsage =
    "usage: stella canon [FILE|-] [--lines]\n"
    "  Writes the RFC 8785 canonical form of the JSON document in FILE (or\n"
    "  stdin for '-' or no FILE) to stdout, without a trailing newline.\n"
    "  --lines  each input line is one document; each output line is its\n"
    "           canonical form, or '!' and the reason it was rejected\n";

int fail(std::string_view reason) {
  std::cerr << "stella canon: " << reason << "\n";
  return kExitFailure;
}

// An input stream: a file we opened (and close), or stdin (which we don't).
class Input {
 public:
  static Result<Input> open(const std::string& path) {
    if (path == "-") return Input(stdin, "stdin", false);
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) {
      return make_error(ErrorCode::kIo, "cannot open '" + path + "': " + std::strerror(errno));
    }
    return Input(file, "'" + path + "'", true);
  }

  [[nodiscard]] std::FILE* file() const { return file_.get(); }
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  struct CloseIfOwned {
    bool owned;
    void operator()(std::FILE* file) const {
      if (owned) std::fclose(file);
    }
  };
  Input(std::FILE* file, std::string name, bool owned)
      : file_(file, CloseIfOwned{owned}), name_(std::move(name)) {}

  std::unique_ptr<std::FILE, CloseIfOwned> file_;
  std::string name_;
};

// POSIX getline(3) over a FILE*, owning the buffer it grows.
class LineReader {
 public:
  explicit LineReader(std::FILE* file) : file_(file) {}

  // The next line without its '\n', or nullopt at end of input (or on a read
  // error, which the caller tells apart with std::ferror).
  std::optional<std::string_view> next() {
    char* data = buffer_.release();
    const ssize_t length = ::getline(&data, &capacity_, file_);
    buffer_.reset(data);
    if (length < 0) return std::nullopt;
    std::string_view line(data, static_cast<std::size_t>(length));
    if (line.ends_with('\n')) line.remove_suffix(1);
    return line;
  }

 private:
  struct Free {
    void operator()(char* data) const { std::free(data); }
  };
  std::FILE* file_;
  std::unique_ptr<char, Free> buffer_;
  std::size_t capacity_ = 0;
};

Result<std::string> read_all(const Input& input) {
  std::string text;
  char chunk[1 << 16];
  std::size_t count = 0;
  while ((count = std::fread(chunk, 1, sizeof chunk, input.file())) > 0) text.append(chunk, count);
  if (std::ferror(input.file())) {
    return make_error(ErrorCode::kIo, "cannot read " + input.name() + ": " + std::strerror(errno));
  }
  return text;
}

bool write_stdout(std::string_view bytes) {
  return std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size();
}

int finish_output() {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    return fail(std::string("cannot write to stdout: ") + std::strerror(errno));
  }
  return kExitOk;
}

int canonicalize_document(const Input& input) {
  const Result<std::string> text = read_all(input);
  if (!text) return fail(text.error().message);
  const Result<std::string> canonical = json::canonicalize_text(*text);
  if (!canonical) return fail(input.name() + ": " + canonical.error().message);
  write_stdout(*canonical);
  return finish_output();
}

// Appends the canonical form of `line`, or "!" and the reason, to `out`.
// Returns false if the line was rejected.
bool canonicalize_line(std::string_view line, std::string& out) {
  const Result<nlohmann::json> parsed = json::parse_strict(line);
  if (parsed) {
    const Status written = json::canonicalize_to(*parsed, out);
    if (written) return true;
    out += '!' + written.error().message;
    return false;
  }
  out += '!' + parsed.error().message;
  return false;
}

int canonicalize_lines(const Input& input) {
  LineReader reader(input.file());
  std::string out;  // reused: one allocation for the whole stream
  bool all_accepted = true;
  while (const std::optional<std::string_view> line = reader.next()) {
    out.clear();
    all_accepted &= canonicalize_line(*line, out);
    out += '\n';
    if (!write_stdout(out)) break;
  }
  if (std::ferror(input.file())) {
    return fail("cannot read " + input.name() + ": " + std::strerror(errno));
  }
  const int written = finish_output();
  if (written != kExitOk) return written;
  return all_accepted ? kExitOk : kExitFailure;
}

}  // namespace

int run_canon(const Argv& argv) {
  const Result<Args> args = Args::parse(argv, ArgSpec{{}, {"lines", "help"}});
  if (!args) {
    std::cerr << "stella canon: " << args.error().message << "\n" << kUsage;
    return kExitUsage;
  }
  if (args->has("help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (args->positional().size() > 1) {
    std::cerr << "stella canon: expected at most one FILE\n" << kUsage;
    return kExitUsage;
  }
  const std::string path = args->positional().empty() ? "-" : args->positional().front();
  const Result<Input> input = Input::open(path);
  if (!input) return fail(input.error().message);
  return args->has("lines") ? canonicalize_lines(*input) : canonicalize_document(*input);
}

}  // namespace zastava::cli
