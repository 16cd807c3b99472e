// status.invalidations records: created, updated by jobName, never
// un-finished, and capped (5 TTL sweeps, 256 records).
#include "reconcile/invalidation_status.hpp"

#include <gtest/gtest.h>

#include <string>

namespace zastava::reconcile {
namespace {

PlannedInvalidation planned(const std::string& job_name,
                            const std::string& reason = "SignerRevoked") {
  return {provcache::InvalidationKind::kSignerSetHash,
          "sha256:aa",
          reason,
          "signer:sha256:aa",
          job_name,
          true};
}

JobObservation state(const std::string& value) {
  JobObservation observed;
  observed.state = value;
  return observed;
}

TEST(InvalidationStatus, NewRecordIsPendingWithItsTargetAndReason) {
  const nlohmann::json records = record_invalidation(nullptr, planned("job-a"), JobObservation{});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["jobName"], "job-a");
  EXPECT_EQ(records[0]["state"], "Pending");
  EXPECT_EQ(records[0]["target"], "signer:sha256:aa");
  EXPECT_EQ(records[0]["reason"], "SignerRevoked");
  EXPECT_FALSE(records[0].contains("entriesAffected"));
  EXPECT_FALSE(records[0].contains("message"));
  EXPECT_FALSE(is_finished(records[0]));
}

TEST(InvalidationStatus, UpdatesTheRecordWithTheSameJobNameInPlace) {
  nlohmann::json records = record_invalidation(nullptr, planned("job-a"), JobObservation{});
  records = record_invalidation(records, planned("job-b"), JobObservation{});
  JobObservation running = state("Running");
  running.start_time = "2026-11-22T10:00:00Z";
  records = record_invalidation(records, planned("job-a"), running);
  JobObservation done = state("Succeeded");
  done.completion_time = "2026-11-22T10:00:09Z";
  done.entries_affected = 12;
  records = record_invalidation(records, planned("job-a"), done);

  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["jobName"], "job-a");  // oldest first
  EXPECT_EQ(records[0]["state"], "Succeeded");
  EXPECT_EQ(records[0]["startTime"], "2026-11-22T10:00:00Z");  // kept from Running
  EXPECT_EQ(records[0]["completionTime"], "2026-11-22T10:00:09Z");
  EXPECT_EQ(records[0]["entriesAffected"], 12);
  EXPECT_TRUE(is_finished(records[0]));
  EXPECT_EQ(records[1]["state"], "Pending");
  ASSERT_NE(find_invalidation(records, "job-b"), nullptr);
  EXPECT_EQ((*find_invalidation(records, "job-b"))["jobName"], "job-b");
  EXPECT_EQ(find_invalidation(records, "job-c"), nullptr);
  EXPECT_EQ(find_invalidation(nullptr, "job-a"), nullptr);
}

TEST(InvalidationStatus, FailedKeepsTheMessageWithinTheCrdLimit) {
  JobObservation failed = state("Failed");
  failed.message = "BackoffLimitExceeded: " + std::string(5000, 'x');
  const nlohmann::json records = record_invalidation(nullptr, planned("job-a"), failed);
  EXPECT_EQ(records[0]["state"], "Failed");
  EXPECT_EQ(records[0]["message"].get<std::string>().size(), 4096u);
  EXPECT_TRUE(is_finished(records[0]));
}

TEST(InvalidationStatus, AFinishedRecordIsNeverReopened) {
  JobObservation done = state("Succeeded");
  done.entries_affected = 3;
  nlohmann::json records = record_invalidation(nullptr, planned("job-a"), done);
  records = record_invalidation(records, planned("job-a"), state("Pending"));
  EXPECT_EQ(records[0]["state"], "Succeeded");
  EXPECT_EQ(records[0]["entriesAffected"], 3);
  JobObservation other = state("Failed");
  other.entries_affected = 9;
  other.message = "late";
  records = record_invalidation(records, planned("job-a"), other);
  EXPECT_EQ(records[0]["state"], "Succeeded");
  EXPECT_EQ(records[0]["entriesAffected"], 3);
  EXPECT_FALSE(records[0].contains("message"));
}

TEST(InvalidationStatus, AFinishedRecordGainsAMissingCount) {
  JobObservation done = state("Succeeded");
  done.completion_time = "2026-11-22T10:00:09Z";
  nlohmann::json records = record_invalidation(nullptr, planned("job-a"), done);
  EXPECT_FALSE(records[0].contains("entriesAffected"));
  JobObservation later = state("Succeeded");
  later.entries_affected = 5;
  records = record_invalidation(records, planned("job-a"), later);
  EXPECT_EQ(records[0]["entriesAffected"], 5);
  EXPECT_EQ(records[0]["completionTime"], "2026-11-22T10:00:09Z");
}

TEST(InvalidationStatus, KeepsOnlyTheLatestFiveFinishedSweeps) {
  nlohmann::json records = record_invalidation(nullptr, planned("signer"), state("Succeeded"));
  for (int i = 0; i < 8; ++i) {
    records = record_invalidation(records, planned("sweep-" + std::to_string(i), "TtlSweep"),
                                  state("Succeeded"));
  }
  // An unfinished sweep is kept whatever its age.
  records = record_invalidation(records, planned("sweep-running", "TtlSweep"), state("Running"));
  records = record_invalidation(records, planned("sweep-8", "TtlSweep"), state("Succeeded"));
  // Five sweeps: the running one counts, the older finished ones went.
  ASSERT_EQ(records.size(), 6u);
  EXPECT_EQ(records[0]["jobName"], "signer");
  EXPECT_EQ(records[1]["jobName"], "sweep-5");
  EXPECT_EQ(records[3]["jobName"], "sweep-7");
  EXPECT_EQ(records[4]["jobName"], "sweep-running");
  EXPECT_EQ(records[5]["jobName"], "sweep-8");
}

TEST(InvalidationStatus, BeyondTheCrdLimitTheOldestFinishedGoFirst) {
  nlohmann::json records = nlohmann::json::array();
  records.push_back({{"jobName", "old-running"},
                     {"state", "Running"},
                     {"target", "t"},
                     {"reason", "SignerRevoked"}});
  for (int i = 0; i < 255; ++i) {
    records.push_back({{"jobName", "done-" + std::to_string(i)},
                       {"state", "Succeeded"},
                       {"target", "t"},
                       {"reason", "SignerRevoked"}});
  }
  records = record_invalidation(records, planned("new"), JobObservation{});
  ASSERT_EQ(records.size(), 256u);
  EXPECT_EQ(records[0]["jobName"], "old-running");
  EXPECT_EQ(records[1]["jobName"], "done-1");  // done-0 dropped
  EXPECT_EQ(records[255]["jobName"], "new");
}

}  // namespace
}  // namespace zastava::reconcile
