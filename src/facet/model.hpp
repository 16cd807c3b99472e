#pragma once
// The facet sealing data model (facet sealing seed, section 3): what a facet
// is, a sealed manifest of its files, the quota on its drift, and the drift
// itself. Plain values; the behaviour lives in definitions.hpp, manifest.hpp,
// seal.hpp, drift.hpp and quota.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zastava::facet {

enum class FacetType {
  kOs,
  kLangNode,
  kLangPython,
  kLangGo,
  kLangRust,
  kLangJava,
  kLangDotNet,
  kBinary,
  kConfig,
  kCustom,
};

// Ordered by strictness: the strictest action across facets wins.
enum class QuotaAction { kWarn = 0, kRequireVex = 1, kBlock = 2 };

// Per-facet change budget (seed 3.4); defaults are the seed's.
struct FacetQuota {
  double max_churn_percent = 5.0;  // 0-100
  std::int64_t max_changed_files = 50;
  std::int64_t max_added_files = 25;
  std::int64_t max_removed_files = 10;
  QuotaAction on_exceed = QuotaAction::kWarn;

  friend bool operator==(const FacetQuota&, const FacetQuota&) = default;
};

enum class EntryKind { kRegular, kSymlink };

// One file of a facet (seed 3.2). Directories are not entries. A symlink's
// content hash is the SHA-256 of its target path and its size the target's
// length; a hard link has its target's content.
struct FileEntry {
  std::string path;          // absolute, normalized POSIX path: "/etc/os-release"
  std::string content_hash;  // "sha256:<hex>"
  std::uint64_t size = 0;
  std::uint32_t mode = 0;  // permission bits (07777); rendered "0644"
  std::int64_t mtime = 0;  // seconds since the epoch, UTC
  EntryKind kind = EntryKind::kRegular;

  friend bool operator==(const FileEntry&, const FileEntry&) = default;
};

// Per-facet manifest (seed 3.2): entries sorted by path (byte order), and the
// RFC 6962 Merkle root over their leaf encoding (manifest.hpp documents it).
struct FacetManifest {
  std::string facet_id;
  FacetType type = FacetType::kCustom;
  std::vector<FileEntry> files;
  std::string merkle_root;  // "sha256:<hex>"
  std::uint64_t file_count = 0;
  std::uint64_t total_bytes = 0;
  std::string extracted_at;  // RFC 3339 UTC with milliseconds: "2026-01-05T10:00:00.000Z"
  std::string extractor_version;

  friend bool operator==(const FacetManifest&, const FacetManifest&) = default;
};

// The signed content of a seal (seed section 5), before DSSE.
struct FacetSeal {
  std::string seal_id;       // UUIDv4
  std::string image_ref;     // as given: "registry/app:v1@sha256:..." or "oci:dir:tag"
  std::string image_digest;  // the image manifest digest "sha256:..." ("" for a rootfs dir)
  FacetManifest manifest;
  std::string sealed_at;  // RFC 3339 UTC with milliseconds
  std::string sealed_by;
  std::optional<FacetQuota> quota;

  friend bool operator==(const FacetSeal&, const FacetSeal&) = default;
};

enum class DriftCause {
  kUnknown,
  kPackageUpdate,
  kConfigChange,
  kBinaryRebuild,
  kNewDependency,
  kRemovedDependency,
  kSecurityPatch,
};

struct DriftEntry {
  std::string path;
  std::optional<std::string> old_hash;
  std::optional<std::string> new_hash;
  std::optional<std::uint64_t> old_size;
  std::optional<std::uint64_t> new_size;
  DriftCause cause = DriftCause::kUnknown;
  std::string detail;  // e.g. "openssl 3.0.11-1~deb12u1 -> 3.0.15-1~deb12u1"; may be empty

  friend bool operator==(const DriftEntry&, const DriftEntry&) = default;
};

struct DriftScore {
  std::int64_t total_changes = 0;  // added + removed + modified
  double churn_percent = 0;        // total_changes / max(1, baseline file count) * 100
  std::int64_t added_count = 0;
  std::int64_t removed_count = 0;
  std::int64_t modified_count = 0;

  friend bool operator==(const DriftScore&, const DriftScore&) = default;
};

struct QuotaViolation {
  std::string
      quota_field;  // "MaxChurnPercent", "MaxChangedFiles", "MaxAddedFiles", "MaxRemovedFiles"
  double limit = 0;
  double actual = 0;
  std::string message;  // one line, for a person: "os: 12 files changed, quota allows 10"

  friend bool operator==(const QuotaViolation&, const QuotaViolation&) = default;
};

struct QuotaVerdict {
  bool passed = true;
  std::vector<QuotaViolation> violations;
  QuotaAction recommended_action = QuotaAction::kWarn;  // the quota's on_exceed when !passed
};

struct FacetDrift {
  std::string facet_id;
  std::string baseline_seal_id;  // "" when computed from an image rather than a seal
  std::string current_seal_id;
  std::vector<DriftEntry> added;     // sorted by path
  std::vector<DriftEntry> removed;   // sorted by path
  std::vector<DriftEntry> modified;  // sorted by path
  DriftScore score;
  QuotaVerdict quota_verdict;
};

}  // namespace zastava::facet
