// ValkeyStore (valkey_store.hpp): entries as canonical JSON with PEXPIREAT,
// index sets for invalidation, optimistic WATCH/MULTI/EXEC for removals.

#include "store/valkey_store.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <unordered_set>
#include <utility>

namespace zastava::store {
namespace {

// How many candidates one WATCH/GET/MULTI round handles, and how often a
// round is retried when a concurrent put touched a watched entry (a batch
// is split in two after kAttemptsBeforeSplit aborted rounds).
constexpr std::size_t kRemovalBatch = 256;
constexpr int kRemovalAttempts = 8;
constexpr int kAttemptsBeforeSplit = 2;
constexpr std::string_view kScanCount = "1000";

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `text` with the glob characters of SCAN MATCH escaped.
std::string glob_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

Error unsupported(std::string_view what) {
  return make_error(ErrorCode::kUnsupported,
                    "the valkey store is a pure cache: " + std::string(what) +
                        " lives in PostgreSQL or the embedded store");
}

// Where a stored entry belongs in the indexes.
struct IndexSets {
  std::string signer;
  std::string policy;
  std::string epoch;
};

// The key layout (valkey_store.hpp), in one place.
class ValkeyKeys {
 public:
  explicit ValkeyKeys(const std::string& prefix) : prefix_(prefix) {}
  [[nodiscard]] std::string entry(std::string_view veri_key) const {
    return prefix_ + "entry:" + std::string(veri_key);
  }
  [[nodiscard]] std::string signer(std::string_view hash) const {
    return prefix_ + "idx:signer:" + std::string(hash);
  }
  [[nodiscard]] std::string policy(std::string_view hash) const {
    return prefix_ + "idx:policy:" + std::string(hash);
  }
  [[nodiscard]] std::string epochs() const { return prefix_ + "idx:epochs"; }
  [[nodiscard]] std::string epoch(std::string_view epoch_value) const {
    return prefix_ + "idx:epoch:" + std::string(epoch_value);
  }
  [[nodiscard]] IndexSets sets_of(const ProvcacheEntry& entry) const {
    return {signer(entry.signer_set_hash), policy(entry.policy_hash), epoch(entry.feed_epoch)};
  }

 private:
  const std::string& prefix_;
};

// The commands (without MULTI/EXEC) that store a batch of entries: each
// entry's SET, PEXPIREAT and SADDs, then one expiry update per index set
// touched. An entry that has already expired is not written; only a DEL of
// any older version is.
class PutPlan {
 public:
  explicit PutPlan(const ValkeyKeys& keys) : keys_(keys), now_ms_(wall_clock_ms()) {}

  Status add(const ProvcacheEntry& entry) {
    auto json = provcache::entry_to_json(entry);
    if (!json) return json.error();
    const std::string entry_key = keys_.entry(entry.veri_key());
    const std::int64_t expires_ms = entry.expires_at() * 1000;
    if (expires_ms <= now_ms_) {
      commands_.push_back({"DEL", entry_key});
      return ok_status();
    }
    const IndexSets sets = keys_.sets_of(entry);
    commands_.push_back({"SET", entry_key, std::move(*json)});
    commands_.push_back({"PEXPIREAT", entry_key, std::to_string(expires_ms)});
    for (const std::string* set : {&sets.signer, &sets.policy, &sets.epoch}) {
      commands_.push_back({"SADD", *set, entry.veri_key()});
      extend(*set, expires_ms);
    }
    commands_.push_back({"SADD", keys_.epochs(), entry.feed_epoch});
    extend(keys_.epochs(), expires_ms);
    return ok_status();
  }

  std::vector<ValkeyCommand> take() {
    // An index set lives as long as its latest member: NX gives a new set
    // its first expiry, GT only ever pushes it later (Redis >= 7.0, Valkey).
    for (const auto& [set, expires_ms] : set_expiry_) {
      const std::string at = std::to_string(expires_ms);
      commands_.push_back({"PEXPIREAT", set, at, "NX"});
      commands_.push_back({"PEXPIREAT", set, at, "GT"});
    }
    set_expiry_.clear();
    return std::move(commands_);
  }

 private:
  void extend(const std::string& set, std::int64_t expires_ms) {
    auto& latest = set_expiry_[set];
    latest = std::max(latest, expires_ms);
  }

  const ValkeyKeys& keys_;
  std::int64_t now_ms_;
  std::vector<ValkeyCommand> commands_;
  std::map<std::string, std::int64_t> set_expiry_;
};

// Appends MULTI, `commands`, EXEC to `pipeline`.
void append_transaction(std::vector<ValkeyCommand>& pipeline, std::vector<ValkeyCommand> commands) {
  pipeline.push_back({"MULTI"});
  for (auto& command : commands) pipeline.push_back(std::move(command));
  pipeline.push_back({"EXEC"});
}

// Checks the replies of a pipeline of transactions: no error reply, neither
// at the top level nor inside an EXEC's array.
Status check_transactions(const std::vector<ValkeyReply>& replies, const ValkeyEndpoint& endpoint,
                          std::string_view what) {
  for (const auto& reply : replies) {
    if (auto status = check_reply(reply, what, endpoint); !status) return status;
    for (const auto& inner : reply.elements) {
      if (auto status = check_reply(inner, what, endpoint); !status) return status;
    }
  }
  return ok_status();
}

Result<std::vector<std::string>> reply_strings(Result<ValkeyReply> reply, std::string_view what,
                                               const ValkeyEndpoint& endpoint) {
  if (!reply) return std::move(reply).error();
  if (auto status = check_reply(*reply, what, endpoint); !status) return status.error();
  std::vector<std::string> out;
  out.reserve(reply->elements.size());
  for (auto& element : reply->elements) out.push_back(std::move(element.text));
  return out;
}

// One candidate for removal: a VeriKey and the index set it was found in.
struct Candidate {
  std::string veri_key;
  std::string found_in;
};

// remove_matching's work: checks candidates against their stored entries and
// removes matches and stale index members, atomically per batch.
class ValkeyRemoval {
 public:
  ValkeyRemoval(ValkeyPool& pool, const ValkeyKeys& keys, const InvalidationRequest& request,
                std::int64_t now_seconds)
      : pool_(pool), keys_(keys), request_(request), now_(now_seconds) {}

  Status run(const std::vector<Candidate>& candidates) {
    for (std::size_t start = 0; start < candidates.size(); start += kRemovalBatch) {
      const auto end = std::min(candidates.size(), start + kRemovalBatch);
      const std::vector<Candidate> batch(candidates.begin() + static_cast<std::ptrdiff_t>(start),
                                         candidates.begin() + static_cast<std::ptrdiff_t>(end));
      auto status = pool_.with_connection([&](ValkeyConnection& c) {
        auto done = run_batch(c, batch);
        // Never lend a connection on with a WATCH still active.
        if (!done && c.healthy()) (void)c.command({"UNWATCH"});
        return done;
      });
      if (!status) return status;
    }
    return ok_status();
  }

  std::vector<std::string> take_removed() {
    std::vector<std::string> out(removed_.begin(), removed_.end());
    return out;
  }

 private:
  // Commits the batch's removals; when concurrent puts keep aborting the
  // transaction, splits the batch so each part watches fewer keys (a single
  // candidate only loses to a put of that very key).
  Status run_batch(ValkeyConnection& connection, const std::vector<Candidate>& batch) {
    const int attempts = batch.size() > 1 ? kAttemptsBeforeSplit : kRemovalAttempts;
    for (int attempt = 0; attempt < attempts; ++attempt) {
      auto committed = try_batch(connection, batch);
      if (!committed) return std::move(committed).error();
      if (*committed) return ok_status();
    }
    if (batch.size() <= 1) {
      return make_error(ErrorCode::kIo, "valkey " + connection.endpoint().address() +
                                            ": invalidation kept racing concurrent writes");
    }
    const auto middle = batch.begin() + static_cast<std::ptrdiff_t>(batch.size() / 2);
    if (auto status = run_batch(connection, {batch.begin(), middle}); !status) return status;
    return run_batch(connection, {middle, batch.end()});
  }

  // One WATCH/GET, plan, MULTI/EXEC round: false when a watched entry changed
  // meanwhile (EXEC aborted, nothing written).
  Result<bool> try_batch(ValkeyConnection& connection, const std::vector<Candidate>& batch) {
    std::vector<std::string> unique_keys;
    for (const auto& candidate : batch) unique_keys.push_back(candidate.veri_key);
    std::sort(unique_keys.begin(), unique_keys.end());
    unique_keys.erase(std::unique(unique_keys.begin(), unique_keys.end()), unique_keys.end());

    std::vector<ValkeyCommand> reads;
    ValkeyCommand watch{"WATCH"};
    for (const auto& key : unique_keys) watch.push_back(keys_.entry(key));
    reads.push_back(std::move(watch));
    for (const auto& key : unique_keys) reads.push_back({"GET", keys_.entry(key)});
    auto replies = connection.pipeline(reads);
    if (!replies) return std::move(replies).error();
    if (auto status = check_transactions(*replies, connection.endpoint(), "WATCH/GET"); !status) {
      return status.error();
    }
    std::map<std::string, const ValkeyReply*> stored;
    for (std::size_t i = 0; i < unique_keys.size(); ++i) {
      stored.emplace(unique_keys[i], &(*replies)[i + 1]);
    }
    std::set<std::string> to_remove;
    std::vector<ValkeyCommand> writes = plan(batch, stored, to_remove);
    if (writes.empty()) {
      auto unwatched = connection.command({"UNWATCH"});
      if (!unwatched) return std::move(unwatched).error();
      return true;
    }
    std::vector<ValkeyCommand> transaction;
    append_transaction(transaction, std::move(writes));
    auto results = connection.pipeline(transaction);
    if (!results) return std::move(results).error();
    if (auto status = check_transactions(*results, connection.endpoint(), "MULTI/EXEC"); !status) {
      return status.error();
    }
    if (results->back().is_nil()) return false;
    removed_.insert(to_remove.begin(), to_remove.end());
    return true;
  }

  // The DELs and SREMs for one batch, given what each entry key holds now.
  std::vector<ValkeyCommand> plan(const std::vector<Candidate>& batch,
                                  const std::map<std::string, const ValkeyReply*>& stored,
                                  std::set<std::string>& to_remove) const {
    std::vector<ValkeyCommand> writes;
    std::set<std::string> deleted;
    for (const auto& candidate : batch) {
      const ValkeyReply& value = *stored.at(candidate.veri_key);
      if (value.is_nil()) {  // expired or removed: a stale member
        writes.push_back({"SREM", candidate.found_in, candidate.veri_key});
        continue;
      }
      auto entry = provcache::parse_entry(value.text);
      if (!entry) {  // corrupt: get() would delete it too
        if (deleted.insert(candidate.veri_key).second) {
          writes.push_back({"DEL", keys_.entry(candidate.veri_key)});
        }
        writes.push_back({"SREM", candidate.found_in, candidate.veri_key});
        continue;
      }
      const IndexSets own = keys_.sets_of(*entry);
      const bool removes = request_.by != provcache::InvalidationKind::kExpired &&
                           provcache::matches(request_, *entry, now_);
      if (removes) {
        if (deleted.insert(candidate.veri_key).second) {
          writes.push_back({"DEL", keys_.entry(candidate.veri_key)});
          for (const std::string* set : {&own.signer, &own.policy, &own.epoch}) {
            writes.push_back({"SREM", *set, candidate.veri_key});
          }
          to_remove.insert(candidate.veri_key);
        }
        writes.push_back({"SREM", candidate.found_in, candidate.veri_key});
      } else if (candidate.found_in != own.signer && candidate.found_in != own.policy &&
                 candidate.found_in != own.epoch) {
        // Replaced with other hashes since: only the membership is stale.
        writes.push_back({"SREM", candidate.found_in, candidate.veri_key});
      }
    }
    return writes;
  }

  ValkeyPool& pool_;
  const ValkeyKeys& keys_;
  const InvalidationRequest& request_;
  std::int64_t now_;
  std::set<std::string> removed_;
};

}  // namespace

ValkeyStore::ValkeyStore(std::unique_ptr<ValkeyPool> pool, std::string prefix)
    : pool_(std::move(pool)), prefix_(std::move(prefix)) {}

ValkeyStore::~ValkeyStore() = default;

Result<std::unique_ptr<ValkeyStore>> ValkeyStore::open(ValkeyStoreOptions options) {
  if (options.key_prefix.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "valkey key prefix must not be empty");
  }
  auto pool = ValkeyPool::create(std::move(options.connection));
  if (!pool) return std::move(pool).error();
  return std::unique_ptr<ValkeyStore>(
      new ValkeyStore(std::move(*pool), std::move(options.key_prefix)));
}

std::string ValkeyStore::entry_key(std::string_view veri_key) const {
  return ValkeyKeys(prefix_).entry(veri_key);
}

Status ValkeyStore::ping() {
  auto reply = pool_->command({"PING"});
  if (!reply) return std::move(reply).error();
  if (reply->type != ValkeyReply::Type::kStatus || reply->text != "PONG") {
    return make_error(ErrorCode::kIo, "valkey " + pool_->endpoint().address() +
                                          ": PING answered '" + reply->text + "'");
  }
  return ok_status();
}

Result<Lookup> ValkeyStore::get(std::string_view veri_key, std::int64_t now_seconds) {
  const std::string key = entry_key(veri_key);
  auto reply = pool_->command({"GET", key});
  if (!reply) return std::move(reply).error();
  if (auto status = check_reply(*reply, "GET", pool_->endpoint()); !status) return status.error();
  if (reply->is_nil()) return Lookup{};
  auto entry = provcache::parse_entry(reply->text);
  if (!entry) {
    // Drop it so the next lookup is a clean miss; the caller sees the corruption once.
    auto dropped = pool_->command({"DEL", key});
    (void)dropped;
    return make_error(ErrorCode::kParse, "valkey " + pool_->endpoint().address() + ": entry " +
                                             key +
                                             " is corrupt (deleted): " + entry.error().message);
  }
  if (entry->veri_key() != veri_key || entry->expires_at() <= now_seconds) return Lookup{};
  return Lookup{std::move(*entry), LookupSource::kValkey};
}

Status ValkeyStore::put(const ProvcacheEntry& entry) {
  return put_many(std::span<const ProvcacheEntry>(&entry, 1));
}

Status ValkeyStore::put_many(std::span<const ProvcacheEntry> entries) {
  if (entries.empty()) return ok_status();
  const ValkeyKeys keys(prefix_);
  PutPlan plan(keys);
  for (const auto& entry : entries) {
    if (auto status = plan.add(entry); !status) return status;
  }
  // One MULTI/EXEC: the batch is stored whole or not at all.
  std::vector<ValkeyCommand> transaction;
  append_transaction(transaction, plan.take());
  auto replies = pool_->pipeline(transaction);
  if (!replies) return std::move(replies).error();
  if (auto status = check_transactions(*replies, pool_->endpoint(), "put"); !status) return status;
  if (replies->back().type != ValkeyReply::Type::kArray) {
    return make_error(ErrorCode::kIo,
                      "valkey " + pool_->endpoint().address() + ": put: EXEC was aborted");
  }
  return ok_status();
}

Status ValkeyStore::erase(std::string_view veri_key) {
  const ValkeyKeys keys(prefix_);
  // Not WATCHed: a racing put may leave a stale index member, which every
  // removal tolerates.
  auto reply = pool_->command({"GET", keys.entry(veri_key)});
  if (!reply) return std::move(reply).error();
  if (reply->is_nil()) return ok_status();
  auto entry = provcache::parse_entry(reply->text);
  std::vector<ValkeyCommand> commands{{"DEL", keys.entry(veri_key)}};
  if (entry) {
    const IndexSets sets = keys.sets_of(*entry);
    for (const std::string* set : {&sets.signer, &sets.policy, &sets.epoch}) {
      commands.push_back({"SREM", *set, std::string(veri_key)});
    }
  }
  std::vector<ValkeyCommand> transaction;
  append_transaction(transaction, std::move(commands));
  auto replies = pool_->pipeline(transaction);
  if (!replies) return std::move(replies).error();
  return check_transactions(*replies, pool_->endpoint(), "erase");
}

Result<InvalidationResult> ValkeyStore::remove_matching(const InvalidationRequest& request,
                                                        std::int64_t now_seconds) {
  if (auto status = provcache::validate(request); !status) return status.error();
  const ValkeyKeys keys(prefix_);
  const auto& endpoint = pool_->endpoint();

  // Which index sets hold the candidates.
  std::vector<std::string> sets;
  std::vector<std::string> epochs;
  switch (request.by) {
    case provcache::InvalidationKind::kSignerSetHash:
      sets.push_back(keys.signer(request.value));
      break;
    case provcache::InvalidationKind::kPolicyHash:
      sets.push_back(keys.policy(request.value));
      break;
    case provcache::InvalidationKind::kFeedEpoch:
    case provcache::InvalidationKind::kExpired: {
      auto all = reply_strings(pool_->command({"SMEMBERS", keys.epochs()}), "SMEMBERS", endpoint);
      if (!all) return std::move(all).error();
      for (auto& epoch : *all) {
        if (request.by == provcache::InvalidationKind::kExpired ||
            provcache::compare_feed_epochs(epoch, request.value) < 0) {
          sets.push_back(keys.epoch(epoch));
          epochs.push_back(std::move(epoch));
        }
      }
      break;
    }
  }
  if (request.by == provcache::InvalidationKind::kExpired) {
    for (const char* kind : {"idx:signer:*", "idx:policy:*"}) {
      const std::string pattern = glob_escape(prefix_) + kind;
      std::string cursor = "0";
      do {
        auto page =
            pool_->command({"SCAN", cursor, "MATCH", pattern, "COUNT", std::string(kScanCount)});
        if (!page) return std::move(page).error();
        if (auto status = check_reply(*page, "SCAN", endpoint); !status) return status.error();
        if (page->elements.size() != 2) {
          return make_error(ErrorCode::kIo, "valkey " + endpoint.address() + ": bad SCAN reply");
        }
        cursor = page->elements[0].text;
        for (auto& key : page->elements[1].elements) sets.push_back(std::move(key.text));
      } while (cursor != "0");
    }
  }

  // Candidates: the members of those sets (one pipeline).
  std::vector<ValkeyCommand> reads;
  for (const auto& set : sets) reads.push_back({"SMEMBERS", set});
  auto members = pool_->pipeline(reads);
  if (!members) return std::move(members).error();
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < sets.size(); ++i) {
    if (auto status = check_reply((*members)[i], "SMEMBERS", endpoint); !status) {
      return status.error();
    }
    for (auto& member : (*members)[i].elements) {
      candidates.push_back({std::move(member.text), sets[i]});
    }
  }

  ValkeyRemoval removal(*pool_, keys, request, now_seconds);
  if (auto status = removal.run(candidates); !status) return status.error();

  // Forget epochs whose set is gone (WATCHed: a put may be re-adding one).
  if (!epochs.empty()) {
    auto status = pool_->with_connection([&](ValkeyConnection& c) -> Status {
      for (int attempt = 0; attempt < kRemovalAttempts; ++attempt) {
        ValkeyCommand watch{"WATCH"};
        std::vector<ValkeyCommand> checks;
        for (const auto& epoch : epochs) {
          watch.push_back(keys.epoch(epoch));
          checks.push_back({"EXISTS", keys.epoch(epoch)});
        }
        checks.insert(checks.begin(), std::move(watch));
        auto exists = c.pipeline(checks);
        if (!exists) return std::move(exists).error();
        ValkeyCommand forget{"SREM", keys.epochs()};
        for (std::size_t i = 0; i < epochs.size(); ++i) {
          if ((*exists)[i + 1].integer == 0) forget.push_back(epochs[i]);
        }
        if (forget.size() == 2) {
          auto unwatched = c.command({"UNWATCH"});
          if (!unwatched) return std::move(unwatched).error();
          return ok_status();
        }
        std::vector<ValkeyCommand> transaction;
        append_transaction(transaction, {std::move(forget)});
        auto done = c.pipeline(transaction);
        if (!done) return std::move(done).error();
        if (!done->back().is_nil()) return ok_status();
      }
      return ok_status();  // a racing put keeps the epoch: harmless
    });
    if (!status) return status.error();
  }

  InvalidationResult result;
  result.veri_keys = removal.take_removed();
  return result;
}

Status ValkeyStore::record_revocation(const RevocationRecord&) {
  return unsupported("the revocation audit trail");
}

Result<std::vector<RevocationRecord>> ValkeyStore::revocations(std::size_t) {
  return unsupported("the revocation audit trail");
}

Status ValkeyStore::put_evidence(const EvidenceManifest&, std::span<const Bytes>) {
  return unsupported("evidence");
}

Result<std::optional<EvidenceManifest>> ValkeyStore::get_evidence(std::string_view) {
  return unsupported("evidence");
}

Result<std::optional<Bytes>> ValkeyStore::get_chunk(std::string_view, std::uint64_t) {
  return unsupported("evidence");
}

Result<std::uint64_t> ValkeyStore::count() {
  const std::string pattern = glob_escape(prefix_) + "entry:*";
  std::unordered_set<std::string> seen;  // SCAN may return a key twice
  std::string cursor = "0";
  do {
    auto page =
        pool_->command({"SCAN", cursor, "MATCH", pattern, "COUNT", std::string(kScanCount)});
    if (!page) return std::move(page).error();
    if (auto status = check_reply(*page, "SCAN", pool_->endpoint()); !status) {
      return status.error();
    }
    if (page->elements.size() != 2) {
      return make_error(ErrorCode::kIo,
                        "valkey " + pool_->endpoint().address() + ": bad SCAN reply");
    }
    cursor = page->elements[0].text;
    for (auto& key : page->elements[1].elements) seen.insert(std::move(key.text));
  } while (cursor != "0");
  return static_cast<std::uint64_t>(seen.size());
}

}  // namespace zastava::store
