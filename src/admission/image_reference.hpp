#pragma once
// Container image references ("nginx", "ghcr.io/org/app:1.2",
// "registry:5000/app@sha256:<hex>") read by the Docker/distribution reference
// grammar and normalized the way kubelet and the container runtimes normalize
// them (distribution's ParseNormalizedNamed followed by TagNameOnly):
//
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path
//   domain    := host [ ":" port ]   host: DNS-like name, IPv4, or [IPv6]
//   path      := component ( "/" component )*   lower-case [a-z0-9] runs joined
//                                               by ".", "_", "__" or "-"+
//   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//   digest    := algorithm ":" hex               sha256 = 64 lower-case hex
//
// Normalization: a name without a domain is on Docker Hub ("docker.io"), and a
// one-component Docker Hub path is an official image under "library/":
// "nginx" -> "docker.io/library/nginx:latest", "user/app" ->
// "docker.io/user/app:latest". The first component is a domain only when it
// contains '.' or ':', is "localhost", or has upper case ("localhost:5000/x",
// "registry.example.com/x"). A reference with neither tag nor digest gets the
// tag "latest"; a digest-only reference keeps no tag.

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace zastava::admission {

// Longest repository path ("library/nginx"), as distribution limits it.
inline constexpr std::size_t kMaxRepositoryPathBytes = 255;

struct ImageReference {
  std::string domain;          // "docker.io", "registry.example.com:5000", "[::1]:5000"
  std::string path;            // "library/nginx"
  std::string tag;             // "latest" when the text named neither tag nor digest
  std::string digest;          // "sha256:<64 lower-case hex>", or empty
  bool tag_defaulted = false;  // the tag is the implied "latest"

  [[nodiscard]] bool has_digest() const noexcept { return !digest.empty(); }
  // "docker.io/library/nginx": domain and path, no tag or digest.
  [[nodiscard]] std::string repository() const;
  // "docker.io/library/nginx:latest", "...@sha256:<hex>", or both (":tag@digest").
  [[nodiscard]] std::string normalized() const;
  // The short form Docker prints: "nginx:latest", "user/app@sha256:<hex>";
  // other registries keep their domain.
  [[nodiscard]] std::string familiar() const;

  friend bool operator==(const ImageReference&, const ImageReference&) = default;
};

// Parses and normalizes `text` (as above). kInvalidArgument with Docker's
// reason, e.g. "invalid reference format: repository name (library/Nginx)
// must be lowercase", "... repository name must not be more than 255
// characters", "... invalid tag \"x!\"", "... invalid checksum digest length",
// "... unsupported digest algorithm", and "invalid repository name (<hex>),
// cannot specify 64-byte hexadecimal strings" for a bare image id. Digests are
// accepted for sha256, sha384 and sha512 only, in lower-case hex of the
// algorithm's length.
Result<ImageReference> parse_image_reference(std::string_view text);

}  // namespace zastava::admission
