#include "seals_writer.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "facet/seal.hpp"

namespace zastava::cli {
namespace {

// In canonical JSON a string's quotes are escaped, so this text can only be
// the seals member itself, never part of imageRef.
constexpr std::string_view kEmptySeals = "\"seals\":[]";

}  // namespace

Result<SealsFileWriter> SealsFileWriter::open(const std::string& path, const std::string& image_ref,
                                              const std::string& image_digest) {
  auto frame = facet::serialize_seals_file(facet::SealsFile{image_ref, image_digest, {}});
  if (!frame) return frame.error();
  const auto at = frame->find(kEmptySeals);
  if (at == std::string::npos) {
    return make_error(ErrorCode::kInternal, "seals file frame without an empty seals array");
  }
  const std::size_t split = at + kEmptySeals.size() - 1;  // just before ']'
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(temporary.c_str(), "wb"));
  if (!file) {
    return make_error(ErrorCode::kIo, "cannot create '" + temporary + "': " + std::strerror(errno));
  }
  SealsFileWriter writer(path, std::move(temporary), frame->substr(split), std::move(file));
  if (Status written = writer.write(std::string_view(*frame).substr(0, split)); !written) {
    return written.error();
  }
  return writer;
}

SealsFileWriter::SealsFileWriter(std::string path, std::string temporary, std::string tail,
                                 std::unique_ptr<std::FILE, FileCloser> file)
    : path_(std::move(path)),
      temporary_(std::move(temporary)),
      tail_(std::move(tail)),
      file_(std::move(file)) {}

SealsFileWriter::~SealsFileWriter() {
  if (file_) {
    file_.reset();
    ::unlink(temporary_.c_str());
  }
}

Status SealsFileWriter::write(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), file_.get()) != text.size()) {
    return make_error(ErrorCode::kIo, "cannot write '" + temporary_ + "': " + std::strerror(errno));
  }
  return ok_status();
}

Status SealsFileWriter::add(const dsse::Envelope& envelope) {
  auto text = dsse::serialize(envelope);
  if (!text) return text.error().with_context("seal " + std::to_string(count_ + 1));
  if (count_++ > 0) {
    if (Status written = write(","); !written) return written;
  }
  return write(*text);
}

Status SealsFileWriter::commit() {
  if (Status written = write(tail_ + "\n"); !written) return written;
  if (std::fclose(file_.release()) != 0) {
    ::unlink(temporary_.c_str());
    return make_error(ErrorCode::kIo, "cannot write '" + temporary_ + "': " + std::strerror(errno));
  }
  if (::rename(temporary_.c_str(), path_.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    ::unlink(temporary_.c_str());
    return make_error(ErrorCode::kIo,
                      "cannot rename '" + temporary_ + "' to '" + path_ + "': " + reason);
  }
  return ok_status();
}

}  // namespace zastava::cli
