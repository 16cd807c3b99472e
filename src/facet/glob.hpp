#pragma once
// Path globs for facet definitions (facet sealing seed, section 6).
//
// Paths are absolute POSIX paths ("/usr/bin/ls"). A pattern:
//   - starting with '/' is anchored at the root: "/usr/bin/*" matches
//     "/usr/bin/ls" but not "/usr/bin/x/ls";
//   - not starting with '/' matches at any depth, as if it began with "**/"
//     (so "*.log" and "**/*.log" mean the same);
//   - '*' matches any run of characters within one path segment (never '/');
//   - '?' matches one character other than '/';
//   - "[abc]", "[a-z]", "[!a-z]" / "[^a-z]" match one character of a class
//     (never '/'); a ']' right after '[' or '[!' is a literal member;
//   - a segment that is exactly "**" matches zero or more whole segments
//     ("/var/lib/dpkg/**" matches everything below /var/lib/dpkg; "a/**/b"
//     matches "a/b" and "a/x/y/b");
//   - '\' makes the next character literal.
// Leading dots are not special: "/etc/*" matches "/etc/.pwd.lock".
// A trailing '/' in a pattern is ignored (directories are not entries).

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace zastava::facet {

class Glob {
 public:
  // Rejects empty patterns, unterminated classes, a trailing '\', and "**"
  // mixed with other characters in one segment ("a**b" is ambiguous: use "*").
  static Result<Glob> compile(std::string_view pattern);

  // `path` must be absolute and normalized (no "//", "." or ".." segments).
  [[nodiscard]] bool matches(std::string_view path) const;

  [[nodiscard]] const std::string& pattern() const noexcept { return pattern_; }

 private:
  // One element of a segment pattern.
  struct Element {
    enum class Kind { kLiteral, kAnyChar, kClass, kStar } kind = Kind::kLiteral;
    char literal = 0;
    bool negated = false;                       // kClass: "[!...]"
    std::vector<std::pair<char, char>> ranges;  // kClass: inclusive byte ranges
  };
  struct Segment {
    bool any_depth = false;  // the segment is "**"
    std::string literal;     // set when the segment has no wildcard
    bool is_literal = false;
    std::vector<Element> elements;  // otherwise
  };

  static Segment any_depth_segment();
  static bool segment_matches(const Segment& segment, std::string_view name);
  static bool element_matches(const Element& element, std::string_view name, std::size_t& pos);

  Glob(std::string pattern, std::vector<Segment> segments)
      : pattern_(std::move(pattern)), segments_(std::move(segments)) {}

  std::string pattern_;
  std::vector<Segment> segments_;
};

}  // namespace zastava::facet
