#include "admission/admission_response.hpp"

#include <algorithm>

#include "admission/json_writer.hpp"
#include "json/unicode.hpp"

namespace zastava::admission {
namespace {

constexpr std::string_view kEllipsis = "...";

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}
bool is_alnum(char c) {
  return is_key_char(c) && c != '-' && c != '_' && c != '.';
}

Status check_audit_key(std::string_view key) {
  const auto invalid = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "audit annotation key \"" + std::string(key) + "\" " + std::string(why));
  };
  if (key.empty()) return invalid("is empty");
  if (key.size() > kMaxAuditAnnotationKeyBytes) {
    return invalid("is longer than " + std::to_string(kMaxAuditAnnotationKeyBytes) + " bytes");
  }
  if (!std::all_of(key.begin(), key.end(), is_key_char) || !is_alnum(key.front()) ||
      !is_alnum(key.back())) {
    return invalid("must be [A-Za-z0-9-_.] and begin and end with a letter or digit");
  }
  return ok_status();
}

Status check_response(const AdmissionResponse& response) {
  if (response.uid.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "AdmissionResponse: uid is empty");
  }
  if (!response.allowed && (response.status_code < 400 || response.status_code > 599)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "AdmissionResponse: a denial's status code must be 400-599, not " +
                          std::to_string(response.status_code));
  }
  const StringPairs& annotations = response.audit_annotations;
  for (auto it = annotations.begin(); it != annotations.end(); ++it) {
    if (Status key_ok = check_audit_key(it->first); !key_ok) return key_ok;
    if (std::any_of(annotations.begin(), it, [&](const auto& e) { return e.first == it->first; })) {
      return make_error(ErrorCode::kInvalidArgument,
                        "audit annotation key \"" + it->first + "\" is repeated");
    }
  }
  return ok_status();
}

// Cut `line` to at most `limit` bytes without splitting a UTF-8 sequence.
std::size_t utf8_prefix_length(std::string_view line, std::size_t limit) {
  std::size_t end = 0;
  while (end < line.size()) {
    const std::size_t length = std::max<std::size_t>(1, json::utf8_sequence_length(line, end));
    if (end + length > limit) break;
    end += length;
  }
  return end;
}

void append_warnings(std::string& out, const std::vector<std::string>& warnings) {
  std::vector<std::string> lines;
  std::size_t omitted = 0;
  for (const std::string& warning : warnings) {
    std::string line = warning_line(warning);
    if (line.empty()) continue;
    if (lines.size() < kMaxWarnings) {
      lines.push_back(std::move(line));
    } else {
      ++omitted;
    }
  }
  if (omitted > 0) {
    // The last slot says how many did not fit.
    ++omitted;
    lines.back() = std::to_string(omitted) + " more warnings not shown";
  }
  if (lines.empty()) return;
  out += ",\"warnings\":[";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, lines[i]);
  }
  out += ']';
}

}  // namespace

AdmissionResponse AdmissionResponse::allow(std::string uid) {
  AdmissionResponse response;
  response.uid = std::move(uid);
  return response;
}

AdmissionResponse AdmissionResponse::deny(std::string uid, std::string message) {
  AdmissionResponse response;
  response.uid = std::move(uid);
  response.allowed = false;
  response.status_message = std::move(message);
  return response;
}

std::string warning_line(std::string_view text) {
  std::string line(text);
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '\x7f') c = ' ';
  }
  const std::size_t first = line.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  line.erase(0, first);
  line.erase(line.find_last_not_of(' ') + 1);
  if (line.size() > kMaxWarningBytes) {
    line.resize(utf8_prefix_length(line, kMaxWarningBytes - kEllipsis.size()));
    line += kEllipsis;
  }
  return line;
}

Status append_admission_review(std::string& out, ReviewVersion version,
                               const AdmissionResponse& response) {
  if (Status valid = check_response(response); !valid) return valid;
  out += "{\"apiVersion\":\"";
  out += api_version_string(version);
  out += "\",\"kind\":\"AdmissionReview\",\"response\":{\"uid\":";
  append_json_string(out, response.uid);
  out += response.allowed ? ",\"allowed\":true" : ",\"allowed\":false";
  if (!response.allowed) {
    out += ",\"status\":{\"code\":";
    out += std::to_string(response.status_code);
    out += ",\"reason\":";
    append_json_string(out, response.status_reason);
    out += ",\"message\":";
    append_json_string(out, response.status_message);
    out += '}';
  }
  append_warnings(out, response.warnings);
  if (!response.audit_annotations.empty()) {
    out += ",\"auditAnnotations\":{";
    bool first = true;
    for (const auto& [key, value] : response.audit_annotations) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, key);
      out += ':';
      append_json_string(out, value);
    }
    out += '}';
  }
  out += "}}";
  return ok_status();
}

Result<std::string> write_admission_review(ReviewVersion version,
                                           const AdmissionResponse& response) {
  std::string out;
  out.reserve(256);
  if (Status written = append_admission_review(out, version, response); !written) {
    return written.error();
  }
  return out;
}

}  // namespace zastava::admission
