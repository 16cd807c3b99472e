#include "admission/image_reference.hpp"

#include <algorithm>
#include <array>

#include "json/diagnostics.hpp"

namespace zastava::admission {
namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialPrefix = "library/";
constexpr std::string_view kDefaultTag = "latest";
constexpr std::size_t kMaxTagBytes = 128;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_lower_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f');
}
bool is_word(char c) {
  return is_alnum(c) || c == '_';
}
bool has_upper(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// component := [a-z0-9]+ ( separator [a-z0-9]+ )*, separator := "." | "_" |
// "__" | "-"+.
bool is_path_component(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_lower_alnum(text[i])) return false;
    while (i < text.size() && is_lower_alnum(text[i])) ++i;
    if (i == text.size()) return true;
    const std::size_t start = i;
    while (i < text.size() && (text[i] == '.' || text[i] == '_' || text[i] == '-')) ++i;
    const std::string_view separator = text.substr(start, i - start);
    const bool dashes = separator.find_first_not_of('-') == std::string_view::npos;
    if (separator != "." && separator != "_" && separator != "__" && !dashes) return false;
    if (i == text.size()) return false;  // a separator must be followed by more
  }
  return false;  // empty
}

bool is_path(std::string_view text) {
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = text.find('/', start);
    if (!is_path_component(text.substr(start, slash - start))) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// [a-zA-Z0-9] or [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool is_domain_component(std::string_view text) {
  if (text.empty() || !is_alnum(text.front()) || !is_alnum(text.back())) return false;
  return std::all_of(text.begin(), text.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

bool is_host(std::string_view host) {
  if (!host.empty() && host.front() == '[') {  // IPv6 in brackets, no zone
    if (host.size() < 3 || host.back() != ']') return false;
    const std::string_view inner = host.substr(1, host.size() - 2);
    return std::all_of(inner.begin(), inner.end(), [](char c) { return is_hex(c) || c == ':'; });
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = host.find('.', start);
    if (!is_domain_component(host.substr(start, dot - start))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// host [":" port]
bool is_domain(std::string_view domain) {
  const std::size_t bracket = domain.rfind(']');
  const std::size_t colon = domain.find(':', bracket == std::string_view::npos ? 0 : bracket);
  if (colon == std::string_view::npos) return is_host(domain);
  const std::string_view port = domain.substr(colon + 1);
  return is_host(domain.substr(0, colon)) && !port.empty() &&
         std::all_of(port.begin(), port.end(), [](char c) { return is_digit(c); });
}

bool is_tag(std::string_view tag) {
  return !tag.empty() && tag.size() <= kMaxTagBytes && is_word(tag.front()) &&
         std::all_of(tag.begin(), tag.end(),
                     [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

// algorithm := part ( [-_+.] part )*, part := [A-Za-z][A-Za-z0-9]*
bool is_digest_algorithm(std::string_view algorithm) {
  bool at_part_start = true;
  for (const char c : algorithm) {
    if (at_part_start) {
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
      at_part_start = false;
    } else if (c == '-' || c == '_' || c == '+' || c == '.') {
      at_part_start = true;
    } else if (!is_alnum(c)) {
      return false;
    }
  }
  return !algorithm.empty() && !at_part_start;
}

// Hex digits of the registered algorithms (go-digest's).
std::size_t registered_hex_length(std::string_view algorithm) {
  if (algorithm == "sha256") return 64;
  if (algorithm == "sha384") return 96;
  if (algorithm == "sha512") return 128;
  return 0;
}

Error invalid(std::string reason) {
  return make_error(ErrorCode::kInvalidArgument, "invalid reference format: " + std::move(reason));
}

std::string quoted(std::string_view text) {
  return "\"" + json::printable(text) + "\"";
}

// The grammar's digest, then the checksum rules of its algorithm.
Status check_digest(std::string_view digest) {
  const std::size_t colon = digest.find(':');
  const std::string_view algorithm = digest.substr(0, colon);
  const std::string_view hex =
      colon == std::string_view::npos ? std::string_view() : digest.substr(colon + 1);
  if (colon == std::string_view::npos || !is_digest_algorithm(algorithm) || hex.size() < 32 ||
      !std::all_of(hex.begin(), hex.end(), [](char c) { return is_hex(c); })) {
    return invalid("invalid digest " + quoted(digest));
  }
  const std::size_t expected = registered_hex_length(algorithm);
  if (expected == 0) return invalid("unsupported digest algorithm " + quoted(algorithm));
  if (hex.size() != expected) return invalid("invalid checksum digest length");
  if (!std::all_of(hex.begin(), hex.end(), [](char c) { return is_lower_hex(c); })) {
    return invalid("invalid checksum digest format (hex must be lower case)");
  }
  return ok_status();
}

bool is_image_id(std::string_view text) {
  return text.size() == 64 &&
         std::all_of(text.begin(), text.end(), [](char c) { return is_lower_hex(c); });
}

// distribution's splitDockerDomain, without copying: the domain, the rest of
// the text, and whether the rest is an official image that lives under
// "library/" (on Docker Hub and without a '/').
struct DomainSplit {
  std::string_view domain;
  std::string_view remainder;
  bool official = false;
};

DomainSplit split_docker_domain(std::string_view text) {
  DomainSplit split{kDefaultDomain, text, false};
  if (const std::size_t slash = text.find('/'); slash != std::string_view::npos) {
    const std::string_view first = text.substr(0, slash);
    if (first == "localhost" || first.find_first_of(".:") != std::string_view::npos ||
        has_upper(first)) {
      split.domain = first == kLegacyDefaultDomain ? kDefaultDomain : first;
      split.remainder = text.substr(slash + 1);
    }
  }
  split.official =
      split.domain == kDefaultDomain && split.remainder.find('/') == std::string_view::npos;
  return split;
}

}  // namespace

std::string ImageReference::repository() const {
  std::string text;
  text.reserve(domain.size() + 1 + path.size());
  return text.append(domain).append("/").append(path);
}

std::string ImageReference::normalized() const {
  std::string text = repository();
  if (!tag.empty()) text.append(":").append(tag);
  if (!digest.empty()) text.append("@").append(digest);
  return text;
}

std::string ImageReference::familiar() const {
  std::string text;
  if (domain != kDefaultDomain) {
    text.append(domain).append("/").append(path);
  } else if (path.starts_with(kOfficialPrefix) &&
             path.find('/', kOfficialPrefix.size()) == std::string::npos) {
    text = path.substr(kOfficialPrefix.size());
  } else {
    text = path;
  }
  if (!tag.empty()) text.append(":").append(tag);
  if (!digest.empty()) text.append("@").append(digest);
  return text;
}

Result<ImageReference> parse_image_reference(std::string_view text) {
  if (text.empty()) return invalid("repository name must have at least one component");
  if (is_image_id(text)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalid repository name (" + std::string(text) +
                          "), cannot specify 64-byte hexadecimal strings");
  }
  const DomainSplit split = split_docker_domain(text);
  const std::string_view prefix = split.official ? kOfficialPrefix : std::string_view();
  std::string_view name = split.remainder;
  if (has_upper(name.substr(0, name.find(':')))) {
    return invalid("repository name (" + std::string(prefix) +
                   json::printable(name.substr(0, name.find(':'))) + ") must be lowercase");
  }

  ImageReference reference;
  if (const std::size_t at = name.find('@'); at != std::string_view::npos) {
    const std::string_view digest = name.substr(at + 1);
    if (Status digest_ok = check_digest(digest); !digest_ok) return digest_ok.error();
    reference.digest = digest;
    name = name.substr(0, at);
  }
  // A tag follows the last ':' unless a '/' comes after it (then it is a port).
  if (const std::size_t colon = name.rfind(':');
      colon != std::string_view::npos && name.find('/', colon) == std::string_view::npos) {
    const std::string_view tag = name.substr(colon + 1);
    if (!is_tag(tag)) return invalid("invalid tag " + quoted(tag));
    reference.tag = tag;
    name = name.substr(0, colon);
  }
  if (!is_domain(split.domain)) return invalid("invalid domain " + quoted(split.domain));
  if (!is_path(name)) {
    return invalid("invalid repository path " + quoted(std::string(prefix).append(name)));
  }
  if (prefix.size() + name.size() > kMaxRepositoryPathBytes) {
    return invalid("repository name must not be more than " +
                   std::to_string(kMaxRepositoryPathBytes) + " characters");
  }
  reference.domain = split.domain;
  reference.path.reserve(prefix.size() + name.size());
  reference.path.append(prefix).append(name);
  if (reference.tag.empty() && reference.digest.empty()) {
    reference.tag = kDefaultTag;
    reference.tag_defaulted = true;
  }
  return reference;
}

}  // namespace zastava::admission
