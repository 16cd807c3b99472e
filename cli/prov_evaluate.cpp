#include "prov_evaluate.hpp"

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <utility>
#include <vector>

#include "cli_io.hpp"
#include "digest/content_id.hpp"

namespace zastava::cli {
namespace {

// One evidence blob is at most maxChunksPerEntry (1000) chunks of 64 KiB.
constexpr std::size_t kMaxDocumentBytes = std::size_t{64} << 20;

Result<std::string> read_document(const std::string& path) {
  return read_text_file(path, kMaxDocumentBytes);
}

// Errors of the library name the document by position ("vex[1]"); say which file it was.
Error name_file(const Error& error, const EvaluationRequest& request) {
  const std::string& message = error.message;
  auto file_of = [&](std::string_view prefix,
                     const std::vector<std::string>& paths) -> const std::string* {
    if (message.rfind(prefix, 0) != 0) return nullptr;
    const std::size_t index = std::strtoul(message.c_str() + prefix.size(), nullptr, 10);
    return index < paths.size() ? &paths[index] : nullptr;
  };
  if (message.rfind("sbom", 0) == 0) return error.with_context(request.sbom_path);
  if (const std::string* path = file_of("vex[", request.vex_paths))
    return error.with_context(*path);
  if (const std::string* path = file_of("findings[", request.findings_paths)) {
    return error.with_context(*path);
  }
  return error;
}

Status check_content_id(std::string_view flag, std::string_view value) {
  if (auto parsed = digest::ContentId::parse(value); !parsed) {
    return parsed.error().with_context(std::string(flag) + " '" + std::string(value) + "'");
  }
  return ok_status();
}

}  // namespace

Result<Evaluation> evaluate_evidence(const EvaluationRequest& request) {
  // Checked here too so the errors name the flags.
  if (Status ok = check_content_id("--image", request.image_digest); !ok) return ok.error();
  if (Status ok = check_content_id("--policy-hash", request.policy_hash); !ok) return ok.error();
  provcache::EvidenceEvaluationRequest library;
  auto sbom = read_document(request.sbom_path);
  if (!sbom) return sbom.error();
  library.sbom_json = std::move(*sbom);
  for (const std::string& path : request.vex_paths) {
    auto text = read_document(path);
    if (!text) return text.error();
    library.vex_json.push_back(std::move(*text));
  }
  for (const std::string& path : request.findings_paths) {
    auto text = read_document(path);
    if (!text) return text.error();
    // A list's findings are attributed to the feed named by the file's stem.
    library.findings.push_back({std::move(*text), std::filesystem::path(path).stem().string()});
  }
  library.image_digest = request.image_digest;
  library.signer_keyids = request.signer_keyids;
  library.policy_hash = request.policy_hash;
  library.feed_epoch = request.feed_epoch;
  library.ttl_seconds = request.ttl_seconds;
  library.evaluated_at_seconds = request.evaluated_at_seconds;
  library.policy_updated_at_seconds = request.policy_updated_at_seconds;
  auto evaluation = provcache::evaluate_evidence(library);
  if (!evaluation) return name_file(evaluation.error(), request);
  return Evaluation{std::move(evaluation->entry), std::move(evaluation->evidence),
                    std::move(evaluation->gate), std::move(evaluation->trust)};
}

}  // namespace zastava::cli
