#pragma once
// Image globs: which images a policy scope covers, written over normalized
// image references ("registry.example.com/payments/api:1.4@sha256:...").
//
// The pattern syntax is the facet globs' (facet/glob.hpp) with '/' as the
// separator, anchored at the start of the reference:
//   "registry.example.com/payments/**"   everything under that path, any depth
//   "registry.example.com/payments/*"    one level below (tags and digests
//                                        included: '*' stops only at '/')
//   "docker.io/library/nginx"            that repository, any tag or digest
//   "ghcr.io/acme/*:v1.*"                tags v1.* of the repositories under acme
// A pattern matches when it matches the whole normalized reference OR its
// repository (the reference without ":tag" and "@digest"), so a plain
// repository name covers every tag and digest of it.
// References are normalized before matching (`nginx` is
// docker.io/library/nginx:latest), so a pattern whose first segment is a
// literal without '.' or ':' (and not "localhost") names no registry and
// would match nothing: it is rejected with a hint.

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "facet/glob.hpp"

namespace zastava::policy {

class ImageGlob {
 public:
  // kInvalidArgument for an empty pattern, a leading '/', whitespace, a
  // pattern naming no registry host, or a glob syntax error.
  static Result<ImageGlob> compile(std::string_view pattern);

  // Allocation-free.
  [[nodiscard]] bool matches(std::string_view normalized_reference) const noexcept;
  [[nodiscard]] const std::string& pattern() const noexcept { return pattern_; }

 private:
  ImageGlob(std::string pattern, facet::Glob glob)
      : pattern_(std::move(pattern)), glob_(std::move(glob)) {}
  std::string pattern_;
  facet::Glob glob_;
};

// The repository of a normalized reference: "r/a/b:t@sha256:x" -> "r/a/b",
// "localhost:5000/a:t" -> "localhost:5000/a".
std::string_view image_repository(std::string_view normalized_reference) noexcept;

}  // namespace zastava::policy
