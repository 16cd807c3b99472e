#include "store/record_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include "digest/sha2.hpp"

namespace zastava::store {
namespace {

std::uint32_t read_be32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// The payload of a valid frame at `offset`, or nullopt.
std::optional<ByteView> frame_at(ByteView log, std::size_t offset) {
  if (log.size() - offset < kFrameHeaderSize) return std::nullopt;
  const std::uint32_t length = read_be32(log.data() + offset);
  if (length == 0 || length > kMaxRecordPayload) return std::nullopt;
  if (log.size() - offset - kFrameHeaderSize < length) return std::nullopt;
  const ByteView payload = log.subspan(offset + kFrameHeaderSize, length);
  const digest::Sha256Digest hash = digest::sha256(payload);
  for (std::size_t i = 0; i < 4; ++i) {
    if (hash[i] != log[offset + 4 + i]) return std::nullopt;
  }
  return payload;
}

// The offset of the first valid frame after `offset`, if any.
std::optional<std::size_t> next_valid_frame(ByteView log, std::size_t offset) {
  for (std::size_t at = offset + 1; at + kFrameHeaderSize < log.size(); ++at) {
    if (frame_at(log, at)) return at;
  }
  return std::nullopt;
}

}  // namespace

void append_frame(std::string_view payload, std::string& out) {
  const auto length = static_cast<std::uint32_t>(payload.size());
  const digest::Sha256Digest hash = digest::sha256(as_bytes(payload));
  const char header[kFrameHeaderSize] = {static_cast<char>(length >> 24),
                                         static_cast<char>((length >> 16) & 0xffU),
                                         static_cast<char>((length >> 8) & 0xffU),
                                         static_cast<char>(length & 0xffU),
                                         static_cast<char>(hash[0]),
                                         static_cast<char>(hash[1]),
                                         static_cast<char>(hash[2]),
                                         static_cast<char>(hash[3])};
  out.append(header, kFrameHeaderSize);
  out.append(payload);
}

Result<ReplayResult> replay_records(ByteView log, const RecordVisitor& visit) {
  ReplayResult result;
  std::size_t offset = 0;
  while (offset < log.size()) {
    const std::optional<ByteView> payload = frame_at(log, offset);
    if (!payload) {
      if (const auto next = next_valid_frame(log, offset)) {
        return make_error(ErrorCode::kParse,
                          "corrupt record at offset " + std::to_string(offset) +
                              " (bad length or checksum) followed by a valid record at offset " +
                              std::to_string(*next) + "; refusing to drop data");
      }
      break;  // a torn tail
    }
    if (Status status = visit(as_string(*payload), offset); !status) {
      return status.error().with_context("record at offset " + std::to_string(offset));
    }
    offset += kFrameHeaderSize + payload->size();
    ++result.records;
  }
  result.valid_bytes = offset;
  return result;
}

Result<RecordLog> RecordLog::open(const std::filesystem::path& path, const RecordVisitor& visit,
                                  const Warn& warn) {
  auto contents = read_whole_file(path);
  if (!contents && contents.error().code != ErrorCode::kNotFound) return contents.error();
  const Bytes data = contents ? std::move(*contents) : Bytes{};
  auto replay = replay_records(data, visit);
  if (!replay) return replay.error().with_context(path.string());

  const int raw = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (raw < 0) return io_error("cannot open log", path);
  UniqueFd fd(raw);
  const std::uint64_t torn = data.size() - replay->valid_bytes;
  if (torn > 0) {
    if (::ftruncate(fd.get(), static_cast<off_t>(replay->valid_bytes)) != 0 ||
        ::fdatasync(fd.get()) != 0) {
      return io_error("cannot truncate the torn tail of", path);
    }
    warn("provcache log " + path.string() + ": dropped a torn last record (" +
         std::to_string(torn) + " bytes at offset " + std::to_string(replay->valid_bytes) +
         ", an interrupted write)");
  }
  if (!contents) {  // just created: make its directory entry durable
    if (Status status = sync_directory(path.parent_path()); !status) return status.error();
  }
  RecordLog log(path, std::move(fd), replay->valid_bytes);
  log.truncated_bytes_ = torn;
  return log;
}

Status RecordLog::append(std::string_view frames) {
  if (broken_) {
    return make_error(ErrorCode::kIo, "provcache log " + path_.string() +
                                          " is unusable after a failed write; reopen the store");
  }
  Status written = write_all(fd_.get(), as_bytes(frames), path_);
  if (written && ::fdatasync(fd_.get()) != 0) written = io_error("cannot fdatasync", path_);
  if (!written) {
    // Undo a partial append so it never sits in front of later records.
    if (::ftruncate(fd_.get(), static_cast<off_t>(size_)) != 0) broken_ = true;
    return written;
  }
  size_ += frames.size();
  return ok_status();
}

Status RecordLog::replace(std::string_view frames) {
  if (Status status = write_file_atomically(path_, as_bytes(frames)); !status) return status;
  const int raw = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (raw < 0) {
    broken_ = true;
    return io_error("cannot reopen log", path_);
  }
  fd_ = UniqueFd(raw);
  size_ = frames.size();
  broken_ = false;
  return ok_status();
}

}  // namespace zastava::store
