#pragma once
// An append-only log of framed records, the embedded store's durable form.
//
// Frame:  u32 big-endian payload length
//         || the first 4 bytes of SHA-256(payload)  (the checksum)
//         || payload                                (1 B .. 64 MiB)
//
// Appends are one write(2) followed by fdatasync(2): when append() returns
// OK the records survive a crash or power loss. A crash mid-append leaves a
// torn last record; replay tells it apart from corruption:
//   - a record whose frame is cut short or whose checksum fails, with NO
//     valid record anywhere after it, is a torn tail: the log is truncated
//     to the last good record and the caller is warned;
//   - a bad record followed by a valid one is corruption (a flipped bit on
//     disk, another writer): kParse naming the bad record's offset, and the
//     log is left untouched so no decision is ever silently dropped.
// A failed append truncates the log back to its size before the append, so a
// half-written record never sits in front of later ones.
//
// Not thread-safe: the embedded store serializes writers.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "base/bytes.hpp"
#include "base/result.hpp"
#include "store/durable_file.hpp"

namespace zastava::store {

inline constexpr std::size_t kFrameHeaderSize = 8;
inline constexpr std::uint32_t kMaxRecordPayload = 64U << 20;

// Appends the frame of `payload` to `out`.
void append_frame(std::string_view payload, std::string& out);

// Called for each valid record in order; an error stops the replay.
using RecordVisitor = std::function<Status(std::string_view payload, std::uint64_t offset)>;

struct ReplayResult {
  std::uint64_t records = 0;
  std::uint64_t valid_bytes = 0;  // the good prefix; < log size when the tail is torn
};

// Scans a whole log (see above). kParse for corruption followed by valid
// records; the visitor's error, with the record's offset, when it fails.
Result<ReplayResult> replay_records(ByteView log, const RecordVisitor& visit);

class RecordLog {
 public:
  using Warn = std::function<void(const std::string&)>;

  // Opens (creating) `path`, replays it through `visit` and truncates a torn
  // tail, calling `warn` with what was cut.
  static Result<RecordLog> open(const std::filesystem::path& path, const RecordVisitor& visit,
                                const Warn& warn);

  // Appends already framed records (one or many) durably.
  Status append(std::string_view frames);
  // Replaces the whole log by `frames` atomically (compaction): a temp file,
  // fsync, rename over the log, fsync the directory.
  Status replace(std::string_view frames);

  [[nodiscard]] std::uint64_t size() const noexcept { return size_; }
  [[nodiscard]] std::uint64_t truncated_bytes() const noexcept { return truncated_bytes_; }

 private:
  RecordLog(std::filesystem::path path, UniqueFd fd, std::uint64_t size)
      : path_(std::move(path)), fd_(std::move(fd)), size_(size) {}

  std::filesystem::path path_;
  UniqueFd fd_;  // O_WRONLY | O_APPEND
  std::uint64_t size_ = 0;
  std::uint64_t truncated_bytes_ = 0;  // cut at open
  bool broken_ = false;                // an append failed and could not be undone
};

}  // namespace zastava::store
