#include "facet/drift_causes.hpp"

#include <cstdio>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "facet/inventory.hpp"

namespace zastava::facet {
namespace {

// Details list at most this many package changes, then "and N more".
constexpr std::size_t kMaxListedChanges = 5;

struct PackageChange {
  std::string name;
  std::optional<std::string> before;  // nullopt: added
  std::optional<std::string> after;   // nullopt: removed
};

struct PackageDiff {
  std::vector<PackageChange> changes;  // by name
  bool any_added = false;
  bool any_removed = false;
  bool any_updated = false;
  bool any_security = false;
};

bool is_security_update(const PackageChange& change) {
  return change.before && change.after && is_security_version(*change.after);
}

PackageDiff diff_packages(const PackageVersions& before, const PackageVersions& after) {
  PackageDiff diff;
  auto old_it = before.begin();
  auto new_it = after.begin();
  while (old_it != before.end() || new_it != after.end()) {
    PackageChange change;
    if (new_it == after.end() || (old_it != before.end() && old_it->first < new_it->first)) {
      change = {old_it->first, old_it->second, std::nullopt};
      ++old_it;
      diff.any_removed = true;
    } else if (old_it == before.end() || new_it->first < old_it->first) {
      change = {new_it->first, std::nullopt, new_it->second};
      ++new_it;
      diff.any_added = true;
    } else {
      const bool same = old_it->second == new_it->second;
      change = {old_it->first, old_it->second, new_it->second};
      ++old_it;
      ++new_it;
      if (same) continue;
      diff.any_updated = true;
    }
    diff.any_security = diff.any_security || is_security_update(change);
    diff.changes.push_back(std::move(change));
  }
  return diff;
}

std::string name_and_version(const std::string& name, const std::string& version) {
  return version.empty() ? name : name + " " + version;
}

// "openssl 3.0.11-1~deb12u1 -> 3.0.15-1~deb12u2 (security)", "+left-pad 1.3.0",
// "-wget 1.21.3-1+b2".
std::string describe_change(const PackageChange& change) {
  if (!change.before) return "+" + name_and_version(change.name, *change.after);
  if (!change.after) return "-" + name_and_version(change.name, *change.before);
  std::string text = change.name + " " + *change.before + " -> " + *change.after;
  if (is_security_update(change)) text += " (security)";
  return text;
}

std::string describe_diff(const PackageDiff& diff) {
  std::string text;
  for (std::size_t i = 0; i < diff.changes.size() && i < kMaxListedChanges; ++i) {
    if (!text.empty()) text += ", ";
    text += describe_change(diff.changes[i]);
  }
  if (diff.changes.size() > kMaxListedChanges) {
    text += ", and " + std::to_string(diff.changes.size() - kMaxListedChanges) + " more";
  }
  return text;
}

// The packages one side lists in the file at `path`: an empty list when the
// file does not exist on that side (known: nothing), null when it exists but
// its content was not captured or not parseable (unknown).
const PackageVersions* side_packages(const Inventory* inventory, const std::string& path,
                                     bool file_exists) {
  static const PackageVersions kNothing;
  if (inventory == nullptr) return nullptr;
  if (!file_exists) return &kNothing;
  const auto found = inventory->by_file.find(path);
  return found == inventory->by_file.end() ? nullptr : &found->second;
}

struct Sides {
  const PackageVersions* before = nullptr;
  const PackageVersions* after = nullptr;
  [[nodiscard]] bool known() const { return before != nullptr && after != nullptr; }
};

Sides sides_of(const std::string& path, const FileEntry* before, const FileEntry* after,
               const CauseContext& context) {
  return {side_packages(context.baseline, path, before != nullptr),
          side_packages(context.current, path, after != nullptr)};
}

void attribute_package_database(DriftEntry& entry, const Sides& sides) {
  entry.cause = DriftCause::kPackageUpdate;
  if (!sides.known()) return;
  const auto diff = diff_packages(*sides.before, *sides.after);
  if (diff.any_security) entry.cause = DriftCause::kSecurityPatch;
  entry.detail = diff.changes.empty() ? "no package version changed" : describe_diff(diff);
}

// /var/lib/dpkg/info/<package>.* changes with its package: report that
// package's change from the status database.
void attribute_dpkg_info_file(DriftEntry& entry, const std::string& package,
                              const CauseContext& context) {
  entry.cause = DriftCause::kPackageUpdate;
  static const std::string kStatus = "/var/lib/dpkg/status";
  const auto before = side_packages(context.baseline, kStatus, true);
  const auto after = side_packages(context.current, kStatus, true);
  if (before == nullptr || after == nullptr) return;
  PackageVersions old_one;
  PackageVersions new_one;
  if (const auto it = before->find(package); it != before->end()) old_one.insert(*it);
  if (const auto it = after->find(package); it != after->end()) new_one.insert(*it);
  const auto diff = diff_packages(old_one, new_one);
  if (diff.any_security) entry.cause = DriftCause::kSecurityPatch;
  entry.detail = describe_diff(diff);
}

void attribute_lockfile(DriftEntry& entry, const Sides& sides, const FileEntry* before,
                        const FileEntry* after) {
  if (!sides.known()) {
    // Without the content, a new lockfile brings dependencies, a deleted one
    // takes them away, and an edited one changed them in some way.
    entry.cause = before == nullptr  ? DriftCause::kNewDependency
                  : after == nullptr ? DriftCause::kRemovedDependency
                                     : DriftCause::kPackageUpdate;
    return;
  }
  const auto diff = diff_packages(*sides.before, *sides.after);
  if (diff.any_added) {
    entry.cause = DriftCause::kNewDependency;
  } else if (diff.any_removed) {
    entry.cause = DriftCause::kRemovedDependency;
  } else if (diff.any_updated) {
    entry.cause = DriftCause::kPackageUpdate;
  } else {
    entry.cause = DriftCause::kUnknown;
  }
  entry.detail = diff.changes.empty() ? "no dependency version changed" : describe_diff(diff);
}

bool has_execute_bit(const FileEntry& file) {
  return file.kind == EntryKind::kRegular && (file.mode & 0111u) != 0;
}

std::string octal_mode(std::uint32_t mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%04o", mode);
  return text;
}

std::string_view kind_name(EntryKind kind) {
  return kind == EntryKind::kSymlink ? "symlink" : "regular file";
}

// What changed besides content, for modified entries whose cause says nothing.
std::string describe_metadata_change(const FileEntry& before, const FileEntry& after) {
  std::string text;
  if (before.kind != after.kind) {
    text = std::string(kind_name(before.kind)) + " -> " + std::string(kind_name(after.kind));
  } else if (before.kind == EntryKind::kSymlink && before.content_hash != after.content_hash) {
    text = "symlink retargeted";
  }
  if (before.mode != after.mode && before.kind == after.kind) {
    if (!text.empty()) text += ", ";
    text += "mode " + octal_mode(before.mode) + " -> " + octal_mode(after.mode);
  }
  return text;
}

}  // namespace

bool is_security_version(std::string_view version) {
  // Debian stable and LTS updates: 1.2-3+deb12u1, 3.0.15-1~deb12u1.
  // Ubuntu post-release updates: 1.1.1f-1ubuntu2.16, 2.7-0ubuntu0.22.04.1;
  // Ubuntu Pro / ESM: 2.7.4-0ubuntu1.6+esm1.
  static const std::regex kSecurityRevision(
      R"([+~]deb[0-9]+u[0-9]+|ubuntu[0-9]+\.[0-9]+|[+~]esm[0-9]+)");
  return std::regex_search(version.begin(), version.end(), kSecurityRevision);
}

void attribute_cause(DriftEntry& entry, const FileEntry* before, const FileEntry* after,
                     const CauseContext& context) {
  const std::string& path = entry.path;
  entry.cause = DriftCause::kUnknown;
  entry.detail.clear();
  if (is_package_database(path)) {
    if (inventory_format(path) != InventoryFormat::kNone) {
      attribute_package_database(entry, sides_of(path, before, after, context));
    } else if (const auto package = dpkg_info_package(path); !package.empty()) {
      attribute_dpkg_info_file(entry, package, context);
    } else {
      entry.cause = DriftCause::kPackageUpdate;
    }
  } else if (is_lockfile(path)) {
    attribute_lockfile(entry, sides_of(path, before, after, context), before, after);
  } else if (path.starts_with("/etc/")) {
    entry.cause = DriftCause::kConfigChange;
  } else if (before != nullptr && after != nullptr &&
             (context.facet_type == FacetType::kBinary || has_execute_bit(*before) ||
              has_execute_bit(*after))) {
    entry.cause = DriftCause::kBinaryRebuild;
  }
  if (entry.detail.empty() && before != nullptr && after != nullptr) {
    entry.detail = describe_metadata_change(*before, *after);
  }
}

}  // namespace zastava::facet
