#include "facet/glob.hpp"

namespace zastava::facet {
namespace {

// Splits on '/' outside escapes; drops empty segments ("//", leading, trailing).
std::vector<std::string> split_pattern(std::string_view pattern) {
  std::vector<std::string> segments;
  std::string current;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      current += c;
      current += pattern[++i];
    } else if (c == '/') {
      if (!current.empty()) segments.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) segments.push_back(std::move(current));
  return segments;
}

// Walks the segments of a path without allocating: matches() runs for every
// file of an image against every facet's globs, so it must be cheap.
class SegmentCursor {
 public:
  explicit SegmentCursor(std::string_view path) : path_(path) { skip_slashes(); }

  [[nodiscard]] bool done() const noexcept { return pos_ >= path_.size(); }

  [[nodiscard]] std::string_view current() const noexcept {
    const std::size_t slash = path_.find('/', pos_);
    return path_.substr(pos_, (slash == std::string_view::npos ? path_.size() : slash) - pos_);
  }
  void advance() noexcept {
    pos_ += current().size();
    skip_slashes();
  }

 private:
  void skip_slashes() noexcept {
    while (pos_ < path_.size() && path_[pos_] == '/') ++pos_;
  }
  std::string_view path_;
  std::size_t pos_ = 0;
};

// Length of the UTF-8 sequence starting at name[pos] (1 for invalid bytes), so
// that '?' matches one character rather than one byte.
std::size_t utf8_length(std::string_view name, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(name[pos]);
  std::size_t length = lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
  std::size_t i = 1;
  while (i < length && pos + i < name.size() &&
         (static_cast<unsigned char>(name[pos + i]) & 0xc0) == 0x80) {
    ++i;
  }
  return i;
}

}  // namespace

Glob::Segment Glob::any_depth_segment() {
  Segment segment;
  segment.any_depth = true;
  return segment;
}

Result<Glob> Glob::compile(std::string_view pattern) {
  if (pattern.empty()) return make_error(ErrorCode::kInvalidArgument, "empty glob pattern");
  const auto fail = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, "glob '" + std::string(pattern) + "': " + why);
  };
  if (pattern.back() == '\\' && (pattern.size() < 2 || pattern[pattern.size() - 2] != '\\')) {
    return fail("ends with an unescaped '\\'");
  }
  std::vector<Segment> segments;
  if (pattern.front() != '/') segments.push_back(any_depth_segment());
  for (const std::string& text : split_pattern(pattern)) {
    if (text == "**") {
      if (segments.empty() || !segments.back().any_depth) {
        segments.push_back(any_depth_segment());
      }
      continue;
    }
    Segment segment;
    bool wildcard = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      Element element;
      const char c = text[i];
      if (c == '\\') {
        element.literal = text[++i];
      } else if (c == '*') {
        if (i + 1 < text.size() && text[i + 1] == '*') return fail("'**' must be a whole segment");
        element.kind = Element::Kind::kStar;
      } else if (c == '?') {
        element.kind = Element::Kind::kAnyChar;
      } else if (c == '[') {
        element.kind = Element::Kind::kClass;
        std::size_t j = i + 1;
        if (j < text.size() && (text[j] == '!' || text[j] == '^')) {
          element.negated = true;
          ++j;
        }
        const std::size_t first = j;
        for (; j < text.size() && (text[j] != ']' || j == first); ++j) {
          char lo = text[j];
          if (lo == '\\' && j + 1 < text.size()) lo = text[++j];
          char hi = lo;
          if (j + 2 < text.size() && text[j + 1] == '-' && text[j + 2] != ']') {
            hi = text[j + 2];
            j += 2;
            if (hi == '\\' && j + 1 < text.size()) hi = text[++j];
            if (static_cast<unsigned char>(hi) < static_cast<unsigned char>(lo)) {
              return fail("character class range is reversed");
            }
          }
          element.ranges.emplace_back(lo, hi);
        }
        if (j >= text.size()) return fail("unterminated character class");
        i = j;
      } else {
        element.literal = c;
      }
      if (element.kind != Element::Kind::kLiteral) wildcard = true;
      segment.elements.push_back(std::move(element));
    }
    if (!wildcard) {
      segment.is_literal = true;
      for (const Element& e : segment.elements) segment.literal += e.literal;
      segment.elements.clear();
    }
    segments.push_back(std::move(segment));
  }
  return Glob(std::string(pattern), std::move(segments));
}

bool Glob::element_matches(const Element& element, std::string_view name, std::size_t& pos) {
  if (pos >= name.size()) return false;
  switch (element.kind) {
    case Element::Kind::kLiteral:
      if (name[pos] != element.literal) return false;
      ++pos;
      return true;
    case Element::Kind::kAnyChar:
      pos += utf8_length(name, pos);
      return true;
    case Element::Kind::kClass: {
      const auto c = static_cast<unsigned char>(name[pos]);
      bool in = false;
      for (const auto& [lo, hi] : element.ranges) {
        if (c >= static_cast<unsigned char>(lo) && c <= static_cast<unsigned char>(hi)) in = true;
      }
      if (in == element.negated) return false;
      ++pos;
      return true;
    }
    case Element::Kind::kStar:
      return false;  // handled by segment_matches
  }
  return false;
}

// Wildcard match of one segment; greedy with backtracking to the last '*'
// (linear in practice, quadratic at worst for pathological patterns).
bool Glob::segment_matches(const Segment& segment, std::string_view name) {
  if (segment.is_literal) return name == segment.literal;
  const auto& elements = segment.elements;
  std::size_t e = 0, pos = 0;
  std::size_t star_e = std::string::npos, star_pos = 0;
  while (pos < name.size()) {
    std::size_t next = pos;
    if (e < elements.size() && elements[e].kind == Element::Kind::kStar) {
      star_e = e++;
      star_pos = pos;
    } else if (e < elements.size() && element_matches(elements[e], name, next)) {
      ++e;
      pos = next;
    } else if (star_e != std::string::npos) {
      e = star_e + 1;
      pos = ++star_pos;
    } else {
      return false;
    }
  }
  while (e < elements.size() && elements[e].kind == Element::Kind::kStar) ++e;
  return e == elements.size();
}

// Segment-level match with "**" as the star; the same greedy algorithm.
bool Glob::matches(std::string_view path) const {
  SegmentCursor names(path);
  std::size_t p = 0;
  std::size_t star_p = std::string::npos;
  SegmentCursor star_names = names;  // where the last "**" started consuming
  while (!names.done()) {
    if (p < segments_.size() && segments_[p].any_depth) {
      star_p = p++;
      star_names = names;
    } else if (p < segments_.size() && segment_matches(segments_[p], names.current())) {
      ++p;
      names.advance();
    } else if (star_p != std::string::npos) {
      p = star_p + 1;
      star_names.advance();
      names = star_names;
    } else {
      return false;
    }
  }
  while (p < segments_.size() && segments_[p].any_depth) ++p;
  return p == segments_.size();
}

}  // namespace zastava::facet
