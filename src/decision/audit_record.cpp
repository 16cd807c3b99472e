#include "decision/audit_record.hpp"

#include "admission/json_writer.hpp"

namespace zastava::decision {
namespace {

using admission::append_json_string;

void member(std::string& out, std::string_view name, std::string_view value) {
  append_json_string(out, name);
  out += ':';
  append_json_string(out, value);
}

void string_array(std::string& out, std::string_view name, const std::vector<std::string>& values) {
  append_json_string(out, name);
  out += ":[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, values[i]);
  }
  out += ']';
}

void append_image(std::string& out, const ImageReport& image) {
  out += '{';
  member(out, "container", image.container);
  out += ',';
  member(out, "image", image.image);
  out += ',';
  member(out, "normalized", image.normalized);
  out += ',';
  member(out, "scope", image.scope);
  out += ',';
  member(out, "mode", image.mode);
  out += ',';
  member(out, "decision", image.decision);
  out += ',';
  member(out, "veriKey", image.veri_key);
  out += ',';
  member(out, "provcache", provcache_result_name(image.provcache));
  out += ',';
  member(out, "provcacheVerdict", image.provcache_verdict);
  out += ",\"trustScore\":";
  out += image.trust_score ? std::to_string(*image.trust_score) : "null";
  out += ',';
  string_array(out, "sealIds", image.seal_ids);
  out += ",\"violations\":[";
  for (std::size_t i = 0; i < image.violations.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, image.violations[i].line());
  }
  out += "],";
  string_array(out, "notes", image.notes);
  out += '}';
}

}  // namespace

std::string audit_record_json(const admission::AdmissionRequest& request,
                              const policy::CompiledPolicy& policy, const AdmissionOutcome& outcome,
                              std::string_view reason) {
  std::string out;
  out.reserve(1024);
  out += '{';
  member(out, "uid", request.uid);
  out += ',';
  member(out, "operation", admission::to_string(request.operation));
  out += ',';
  member(out, "kind", request.kind.kind);
  out += ',';
  member(out, "namespace", request.namespace_name);
  out += ',';
  member(out, "name", request.workload ? request.workload->name : request.name);
  out += ",\"dryRun\":";
  out += request.dry_run ? "true" : "false";
  out += ",\"user\":{";
  member(out, "username", request.user_info.username);
  out += ',';
  member(out, "uid", request.user_info.uid);
  out += ',';
  string_array(out, "groups", request.user_info.groups);
  out += "},\"policy\":{";
  member(out, "name", policy.metadata.name);
  out += ',';
  member(out, "version", policy.metadata.version);
  out += ',';
  member(out, "contentHash", policy.content_hash);
  out += "},";
  member(out, "verdict", outcome.allowed ? "allow" : "deny");
  out += ',';
  member(out, "reason", reason);
  out += ",\"images\":[";
  for (std::size_t i = 0; i < outcome.images.size(); ++i) {
    if (i > 0) out += ',';
    append_image(out, outcome.images[i]);
  }
  out += "],";
  string_array(out, "warnings", outcome.warnings);
  out += '}';
  return out;
}

}  // namespace zastava::decision
