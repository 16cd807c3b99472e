// Which invalidations a ProvcachePolicy asks for (see the header).
#include "reconcile/invalidation_plan.hpp"

#include <set>
#include <string_view>
#include <utility>

#include "base/bytes.hpp"
#include "base/hex.hpp"
#include "base/utc_time.hpp"
#include "digest/sha2.hpp"
#include "json/canonical_json.hpp"
#include "reconcile/invalidation_status.hpp"
#include "reconcile/json_access.hpp"

namespace zastava::reconcile {
namespace {

using provcache::InvalidationKind;
using provcache::InvalidationRequest;

constexpr std::string_view kJobNamePrefix = "zastava-inv-";
constexpr std::size_t kJobNameHashChars = 16;

bool is_embedded_store(const nlohmann::json& spec) {
  return string_at(member(spec, "store"), "type") != "Postgres";
}

// The start of the sweep interval `now_seconds` falls in (floor division).
std::int64_t sweep_bucket_start(std::int64_t now_seconds, std::int64_t interval) {
  std::int64_t quotient = now_seconds / interval;
  if (now_seconds % interval != 0 && now_seconds < 0) --quotient;
  return quotient * interval;
}

// Collects planned invalidations, skipping the recorded and repeated ones.
class Planner {
 public:
  Planner(const nlohmann::json& policy, bool embedded)
      : namespace_(string_at(member(policy, "metadata"), "namespace")),
        name_(string_at(member(policy, "metadata"), "name")),
        recorded_(member(member(policy, "status"), "invalidations")),
        embedded_(embedded) {}

  // Requests that would not pass `stella prov invalidate`'s own validation
  // (the CRD's schema keeps them out of a real cluster) are left out rather
  // than run as Jobs bound to fail.
  void add(InvalidationRequest request, std::string target, const std::string& bucket = {}) {
    if (!provcache::validate(request)) return;
    PlannedInvalidation planned{
        request.by, std::move(request.value), std::move(request.reason), std::move(target), "",
        !embedded_};
    planned.job_name = invalidation_job_name(
        namespace_, name_, InvalidationRequest{planned.kind, planned.value, {}, {}}, bucket);
    if (find_invalidation(recorded_, planned.job_name) != nullptr) return;
    if (!job_names_.insert(planned.job_name).second) return;
    plan_.push_back(std::move(planned));
  }

  std::vector<PlannedInvalidation> take() { return std::move(plan_); }

 private:
  std::string namespace_;
  std::string name_;
  const nlohmann::json& recorded_;
  bool embedded_;
  std::set<std::string> job_names_;
  std::vector<PlannedInvalidation> plan_;
};

}  // namespace

std::vector<PlannedInvalidation> plan_invalidations(const nlohmann::json& provcache_policy,
                                                    const OperatorSettings& settings,
                                                    std::int64_t now_seconds) {
  const nlohmann::json& spec = member(provcache_policy, "spec");
  const nlohmann::json& status = member(provcache_policy, "status");
  const bool embedded = is_embedded_store(spec);
  Planner planner(provcache_policy, embedded);

  const nlohmann::json& revoked = member(spec, "revokedSigners");
  if (revoked.is_array()) {
    for (const nlohmann::json& signer : revoked) {
      const std::string hash = string_at(signer, "signerSetHash");
      if (hash.empty()) continue;
      planner.add({InvalidationKind::kSignerSetHash, hash, "SignerRevoked", {}}, "signer:" + hash);
    }
  }

  if (const std::string epoch = string_at(spec, "feedEpoch"); !epoch.empty()) {
    planner.add({InvalidationKind::kFeedEpoch, epoch, "FeedEpochAdvanced", {}},
                "feedEpoch:<" + epoch);
  }

  const std::string policy_hash = string_at(spec, "policyHash");
  const std::string applied_hash = string_at(status, "appliedPolicyHash");
  if (!policy_hash.empty() && !applied_hash.empty() && policy_hash != applied_hash) {
    planner.add({InvalidationKind::kPolicyHash, applied_hash, "PolicyHashChanged", {}},
                "policyHash:" + applied_hash);
  }

  const std::int64_t interval = settings.ttl_sweep_interval.count();
  if (!embedded && interval > 0) {
    const std::int64_t start = sweep_bucket_start(now_seconds, interval);
    if (start >= kMinUtcSeconds && start <= kMaxUtcSeconds) {
      const std::string bucket = format_rfc3339_utc(start, false);
      planner.add({InvalidationKind::kExpired, "", "TtlSweep", {}}, "expired:" + bucket, bucket);
    }
  }
  return planner.take();
}

std::string invalidation_job_name(const std::string& namespace_name, const std::string& policy_name,
                                  const provcache::InvalidationRequest& request,
                                  const std::string& bucket) {
  nlohmann::json identity{{"namespace", namespace_name},
                          {"policy", policy_name},
                          {"by", std::string(provcache::to_string(request.by))},
                          {"value", request.value}};
  if (!bucket.empty()) identity["bucket"] = bucket;
  // Names and values are UTF-8 in practice; a stray invalid byte still gets
  // a stable name through the replacing serializer.
  auto canonical = json::canonicalize(identity);
  const std::string text =
      canonical ? *canonical
                : identity.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const digest::Sha256Digest hash = digest::sha256(as_bytes(text));
  return std::string(kJobNamePrefix) +
         encoding::hex_encode(ByteView(hash.data(), hash.size())).substr(0, kJobNameHashChars);
}

}  // namespace zastava::reconcile
