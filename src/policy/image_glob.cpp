#include "policy/image_glob.hpp"

namespace zastava::policy {
namespace {

bool has_wildcard(std::string_view segment) {
  return segment.find_first_of("*?[\\") != std::string_view::npos;
}

}  // namespace

Result<ImageGlob> ImageGlob::compile(std::string_view pattern) {
  const auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "image glob \"" + std::string(pattern) + "\": " + std::string(why));
  };
  if (pattern.empty()) return bad("is empty");
  if (pattern.front() == '/') return bad("must not start with '/' (write registry/path/**)");
  if (pattern.find_first_of(" \t\r\n") != std::string_view::npos) {
    return bad("must not contain whitespace");
  }
  const std::string_view host = pattern.substr(0, pattern.find('/'));
  if (!has_wildcard(host) && host != "localhost" &&
      host.find_first_of(".:") == std::string_view::npos) {
    return bad(
        "names no registry: references are normalized (\"nginx\" is "
        "\"docker.io/library/nginx:latest\"), so start with the registry host, e.g. "
        "\"docker.io/library/" +
        std::string(pattern) + "\"");
  }
  // A leading '/' anchors a facet glob at the start of the path.
  auto glob = facet::Glob::compile("/" + std::string(pattern));
  if (!glob) return bad(glob.error().message);
  return ImageGlob(std::string(pattern), std::move(glob).value());
}

bool ImageGlob::matches(std::string_view normalized_reference) const noexcept {
  if (glob_.matches(normalized_reference)) return true;
  const std::string_view repository = image_repository(normalized_reference);
  return repository.size() != normalized_reference.size() && glob_.matches(repository);
}

std::string_view image_repository(std::string_view normalized_reference) noexcept {
  std::string_view reference = normalized_reference.substr(0, normalized_reference.find('@'));
  const std::size_t slash = reference.rfind('/');
  const std::size_t colon = reference.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    reference = reference.substr(0, colon);
  }
  return reference;
}

}  // namespace zastava::policy
