// Tests for facet/drift.hpp and facet/inventory.hpp: the merge walk, the
// score, and the causes with real-format package databases and lockfiles
// (tests/data/facet/drift/README.md lists the fixtures).
#include "facet/drift.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "facet/inventory.hpp"
#include "facet/names.hpp"

namespace zastava::facet {
namespace {

std::string fixture(const std::string& name) {
  const auto path = std::filesystem::path(ZASTAVA_TESTDATA_DIR) / "facet" / "drift" / name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A distinct, well-formed hash per content label.
std::string hash(char label) {
  return "sha256:" + std::string(64, label);
}

FileEntry file(std::string path, char content, std::uint64_t size, std::uint32_t mode = 0644) {
  FileEntry entry;
  entry.path = std::move(path);
  entry.content_hash = hash(content);
  entry.size = size;
  entry.mode = mode;
  entry.mtime = 1700000000;
  return entry;
}

FileEntry symlink(std::string path, char target) {
  FileEntry entry = file(std::move(path), target, 9, 0777);
  entry.kind = EntryKind::kSymlink;
  return entry;
}

FacetManifest manifest(std::string id, FacetType type, std::vector<FileEntry> files) {
  FacetManifest result;
  result.facet_id = std::move(id);
  result.type = type;
  result.files = std::move(files);
  result.file_count = result.files.size();
  return result;
}

std::vector<std::string> paths(const std::vector<DriftEntry>& entries) {
  std::vector<std::string> result;
  for (const auto& entry : entries) result.push_back(entry.path);
  return result;
}

// One modified file whose content goes from `before_content` to
// `after_content`, with each side's captured copy parsed into an Inventory.
DriftEntry modified_with_inventories(const std::string& path, const std::string& before_content,
                                     const std::string& after_content,
                                     FacetType type = FacetType::kOs) {
  const auto baseline = manifest("f", type, {file(path, 'a', before_content.size())});
  const auto current = manifest("f", type, {file(path, 'b', after_content.size())});
  const auto before_inventory = build_inventory({{path, before_content}});
  const auto after_inventory = build_inventory({{path, after_content}});
  const auto drift = compute_drift(baseline, current, &before_inventory, &after_inventory);
  EXPECT_EQ(drift.modified.size(), 1u);
  return drift.modified.empty() ? DriftEntry{} : drift.modified.front();
}

// ---- the walk and the score --------------------------------------------

TEST(ComputeDrift, FindsAddedRemovedAndModifiedWithHashesAndSizes) {
  const auto baseline = manifest("custom/app", FacetType::kCustom,
                                 {file("/app/a.txt", 'a', 10), file("/app/b.txt", 'b', 20),
                                  file("/app/c.txt", 'c', 30), file("/app/d.txt", 'd', 40)});
  const auto current = manifest("custom/app", FacetType::kCustom,
                                {file("/app/a.txt", 'a', 10), file("/app/c.txt", 'e', 31),
                                 file("/app/d.txt", 'd', 40), file("/app/e.txt", 'f', 50)});
  const auto drift = compute_drift(baseline, current, nullptr, nullptr);

  EXPECT_EQ(drift.facet_id, "custom/app");
  EXPECT_EQ(paths(drift.added), std::vector<std::string>{"/app/e.txt"});
  EXPECT_EQ(paths(drift.removed), std::vector<std::string>{"/app/b.txt"});
  EXPECT_EQ(paths(drift.modified), std::vector<std::string>{"/app/c.txt"});

  const auto& added = drift.added.front();
  EXPECT_EQ(added.old_hash, std::nullopt);
  EXPECT_EQ(added.old_size, std::nullopt);
  EXPECT_EQ(added.new_hash, hash('f'));
  EXPECT_EQ(added.new_size, 50u);
  const auto& removed = drift.removed.front();
  EXPECT_EQ(removed.old_hash, hash('b'));
  EXPECT_EQ(removed.old_size, 20u);
  EXPECT_EQ(removed.new_hash, std::nullopt);
  const auto& changed = drift.modified.front();
  EXPECT_EQ(changed.old_hash, hash('c'));
  EXPECT_EQ(changed.new_hash, hash('e'));
  EXPECT_EQ(changed.old_size, 30u);
  EXPECT_EQ(changed.new_size, 31u);
  EXPECT_EQ(changed.cause, DriftCause::kUnknown);
  EXPECT_EQ(changed.detail, "");

  EXPECT_EQ(drift.score.added_count, 1);
  EXPECT_EQ(drift.score.removed_count, 1);
  EXPECT_EQ(drift.score.modified_count, 1);
  EXPECT_EQ(drift.score.total_changes, 3);
  EXPECT_DOUBLE_EQ(drift.score.churn_percent, 75.0);  // 3 of 4 baseline files
  EXPECT_TRUE(drift.quota_verdict.passed);            // left default
}

TEST(ComputeDrift, IdenticalManifestsHaveNoDrift) {
  const auto side = manifest("os", FacetType::kOs, {file("/var/lib/dpkg/status", 'a', 5)});
  const auto drift = compute_drift(side, side, nullptr, nullptr);
  EXPECT_TRUE(drift.added.empty());
  EXPECT_TRUE(drift.removed.empty());
  EXPECT_TRUE(drift.modified.empty());
  EXPECT_EQ(drift.score, DriftScore{});
}

TEST(ComputeDrift, ModeOnlyChangeIsModifiedAndMtimeOnlyIsNot) {
  auto touched = file("/app/run.sh", 'a', 10);
  touched.mtime += 3600;
  const auto baseline =
      manifest("custom/app", FacetType::kCustom,
               {file("/app/config.txt", 'c', 5), file("/app/run.sh", 'a', 10, 0644)});
  const auto current =
      manifest("custom/app", FacetType::kCustom, {file("/app/config.txt", 'c', 5, 0600), touched});
  const auto drift = compute_drift(baseline, current, nullptr, nullptr);
  ASSERT_EQ(paths(drift.modified), std::vector<std::string>{"/app/config.txt"});
  EXPECT_EQ(drift.modified[0].old_hash, drift.modified[0].new_hash);
  EXPECT_EQ(drift.modified[0].detail, "mode 0644 -> 0600");
  EXPECT_EQ(drift.modified[0].cause, DriftCause::kUnknown);
}

TEST(ComputeDrift, SymlinkRetargetAndKindChange) {
  const auto baseline = manifest("custom/app", FacetType::kCustom,
                                 {symlink("/app/current", 'a'), file("/app/latest", 'b', 9, 0644)});
  const auto current = manifest("custom/app", FacetType::kCustom,
                                {symlink("/app/current", 'c'), symlink("/app/latest", 'b')});
  const auto drift = compute_drift(baseline, current, nullptr, nullptr);
  ASSERT_EQ(drift.modified.size(), 2u);
  EXPECT_EQ(drift.modified[0].path, "/app/current");
  EXPECT_EQ(drift.modified[0].detail, "symlink retargeted");
  // Symlinks are 0777 but not executables: no BinaryRebuild.
  EXPECT_EQ(drift.modified[0].cause, DriftCause::kUnknown);
  EXPECT_EQ(drift.modified[1].path, "/app/latest");  // same hash, other kind
  EXPECT_EQ(drift.modified[1].detail, "regular file -> symlink");
}

TEST(ComputeDrift, FacetAppearingFromNothingHasChurnOfItsFileCountTimes100) {
  const auto baseline = manifest("lang/go", FacetType::kLangGo, {});
  const auto current = manifest(
      "lang/go", FacetType::kLangGo,
      {file("/src/go.mod", 'a', 1), file("/src/main.go", 'b', 2), file("/src/util.go", 'c', 3)});
  const auto drift = compute_drift(baseline, current, nullptr, nullptr);
  EXPECT_EQ(drift.score.added_count, 3);
  EXPECT_DOUBLE_EQ(drift.score.churn_percent, 300.0);

  const auto vanished = compute_drift(current, baseline, nullptr, nullptr);
  EXPECT_EQ(vanished.score.removed_count, 3);
  EXPECT_DOUBLE_EQ(vanished.score.churn_percent, 100.0);
}

TEST(ComputeDrift, UnsortedInputGivesTheSameDriftAsSorted) {
  const auto baseline = manifest("custom/x", FacetType::kCustom,
                                 {file("/b", 'b', 1), file("/a", 'a', 1), file("/c", 'c', 1)});
  const auto current = manifest("custom/x", FacetType::kCustom,
                                {file("/d", 'd', 1), file("/c", 'c', 1), file("/a", 'z', 1)});
  const auto drift = compute_drift(baseline, current, nullptr, nullptr);
  EXPECT_EQ(paths(drift.added), std::vector<std::string>{"/d"});
  EXPECT_EQ(paths(drift.removed), std::vector<std::string>{"/b"});
  EXPECT_EQ(paths(drift.modified), std::vector<std::string>{"/a"});
}

TEST(ComputeDrift, ListsAreSortedByPath) {
  std::vector<FileEntry> current_files;
  for (const char* path : {"/x/1", "/x/2", "/x/3", "/y/1"}) {
    current_files.push_back(file(path, 'n', 1));
  }
  const auto drift =
      compute_drift(manifest("c", FacetType::kCustom, {}),
                    manifest("c", FacetType::kCustom, current_files), nullptr, nullptr);
  EXPECT_EQ(paths(drift.added), (std::vector<std::string>{"/x/1", "/x/2", "/x/3", "/y/1"}));
}

// ---- causes ------------------------------------------------------------

TEST(DriftCauses, DpkgNormalUpdateIsPackageUpdateNamingPackagesAndVersions) {
  const auto entry = modified_with_inventories("/var/lib/dpkg/status", fixture("dpkg_status_base"),
                                               fixture("dpkg_status_normal_update"));
  EXPECT_EQ(entry.cause, DriftCause::kPackageUpdate) << drift_cause_name(entry.cause);
  EXPECT_EQ(entry.detail, "bash 5.2.15-2+b2 -> 5.2.21-2, +curl 7.88.1-10");
}

TEST(DriftCauses, DpkgStableSecurityRevisionIsSecurityPatch) {
  const auto entry = modified_with_inventories("/var/lib/dpkg/status", fixture("dpkg_status_base"),
                                               fixture("dpkg_status_security_update"));
  EXPECT_EQ(entry.cause, DriftCause::kSecurityPatch) << drift_cause_name(entry.cause);
  EXPECT_EQ(entry.detail,
            "libexpat1 2.5.0-1 -> 2.5.0-1+deb12u1 (security), "
            "libssl3 3.0.11-1~deb12u1 -> 3.0.15-1~deb12u2 (security)");
}

TEST(DriftCauses, DpkgStatusParserSkipsPackagesNotInstalled) {
  const auto packages = parse_inventory(InventoryFormat::kDpkgStatus, fixture("dpkg_status_base"));
  ASSERT_TRUE(packages.has_value());
  EXPECT_EQ(*packages, (PackageVersions{{"base-files", "12.4+deb12u5"},
                                        {"bash", "5.2.15-2+b2"},
                                        {"libexpat1", "2.5.0-1"},
                                        {"libssl3", "3.0.11-1~deb12u1"},
                                        {"tzdata", "2024a-0+deb12u1"}}));
}

TEST(DriftCauses, DpkgInfoFilesReportTheirPackagesChange) {
  const std::string status = "/var/lib/dpkg/status";
  const std::string md5sums = "/var/lib/dpkg/info/libssl3:amd64.md5sums";
  const auto baseline = manifest("os", FacetType::kOs, {file(md5sums, 'a', 100)});
  const auto current = manifest("os", FacetType::kOs, {file(md5sums, 'b', 100)});
  const auto before = build_inventory({{status, fixture("dpkg_status_base")}});
  const auto after = build_inventory({{status, fixture("dpkg_status_security_update")}});
  const auto drift = compute_drift(baseline, current, &before, &after);
  ASSERT_EQ(drift.modified.size(), 1u);
  EXPECT_EQ(drift.modified[0].cause, DriftCause::kSecurityPatch);
  EXPECT_EQ(drift.modified[0].detail, "libssl3 3.0.11-1~deb12u1 -> 3.0.15-1~deb12u2 (security)");
}

TEST(DriftCauses, DistrolessStatusDirectoryIsADpkgDatabase) {
  EXPECT_EQ(inventory_format("/var/lib/dpkg/status.d/libssl3"), InventoryFormat::kDpkgStatus);
  EXPECT_EQ(inventory_format("/var/lib/dpkg/status.d/libssl3.md5sums"), InventoryFormat::kNone);
  const auto entry = modified_with_inventories(
      "/var/lib/dpkg/status.d/libssl3",
      "Package: libssl3\nVersion: 3.0.11-1~deb12u1\nArchitecture: amd64\n",
      "Package: libssl3\nVersion: 3.0.15-1~deb12u2\nArchitecture: amd64\n");
  EXPECT_EQ(entry.cause, DriftCause::kSecurityPatch);
  EXPECT_EQ(entry.detail, "libssl3 3.0.11-1~deb12u1 -> 3.0.15-1~deb12u2 (security)");
}

TEST(DriftCauses, ApkUpdateIsPackageUpdateNeverSecurity) {
  const auto entry = modified_with_inventories(
      "/lib/apk/db/installed", fixture("apk_installed_base"), fixture("apk_installed_changed"));
  EXPECT_EQ(entry.cause, DriftCause::kPackageUpdate);
  EXPECT_EQ(entry.detail, "+busybox 1.36.1-r15, musl 1.2.4-r2 -> 1.2.4-r3");
}

TEST(DriftCauses, RpmDatabaseChangeIsPackageUpdateWithoutDetail) {
  EXPECT_FALSE(is_inventory_file("/var/lib/rpm/rpmdb.sqlite"));
  const auto entry = modified_with_inventories("/var/lib/rpm/rpmdb.sqlite", "SQLite format 3",
                                               "SQLite format 3 (changed)");
  EXPECT_EQ(entry.cause, DriftCause::kPackageUpdate);
  EXPECT_EQ(entry.detail, "");
}

TEST(DriftCauses, PackageDatabaseWithoutInventoryIsPackageUpdate) {
  const auto baseline = manifest("os", FacetType::kOs, {file("/var/lib/dpkg/status", 'a', 10)});
  const auto current = manifest("os", FacetType::kOs, {file("/var/lib/dpkg/status", 'b', 12)});
  const auto drift = compute_drift(baseline, current, nullptr, nullptr);
  ASSERT_EQ(drift.modified.size(), 1u);
  EXPECT_EQ(drift.modified[0].cause, DriftCause::kPackageUpdate);
  EXPECT_EQ(drift.modified[0].detail, "");
}

TEST(DriftCauses, PackageLockV1AddedDependencyIsNewDependency) {
  const auto entry =
      modified_with_inventories("/srv/app/package-lock.json", fixture("package-lock.v1.base.json"),
                                fixture("package-lock.v1.added.json"), FacetType::kLangNode);
  EXPECT_EQ(entry.cause, DriftCause::kNewDependency);
  EXPECT_EQ(entry.detail, "+left-pad 1.3.0");
}

TEST(DriftCauses, PackageLockV1NestedVersionsAreKept) {
  const auto packages =
      parse_inventory(InventoryFormat::kNpmLock, fixture("package-lock.v1.base.json"));
  ASSERT_TRUE(packages.has_value());
  EXPECT_EQ(*packages, (PackageVersions{{"debug", "2.6.9"}, {"ms", "2.0.0, 2.1.3"}}));
}

TEST(DriftCauses, PackageLockV3RemovedDependencyIsRemovedDependency) {
  const auto entry =
      modified_with_inventories("/srv/app/package-lock.json", fixture("package-lock.v3.base.json"),
                                fixture("package-lock.v3.removed.json"), FacetType::kLangNode);
  EXPECT_EQ(entry.cause, DriftCause::kRemovedDependency);
  EXPECT_EQ(entry.detail, "-lodash 4.17.21");
}

TEST(DriftCauses, PackageLockV3SkipsRootWorkspacesAndLinks) {
  const auto packages =
      parse_inventory(InventoryFormat::kNpmLock, fixture("package-lock.v3.base.json"));
  ASSERT_TRUE(packages.has_value());
  EXPECT_EQ(
      *packages,
      (PackageVersions{{"debug", "2.6.9, 4.3.4"}, {"express", "4.19.2"}, {"lodash", "4.17.21"}}));
}

TEST(DriftCauses, GoSumVersionChangeIsPackageUpdateIgnoringGoModLines) {
  const auto entry = modified_with_inventories("/src/go.sum", fixture("go.sum.base"),
                                               fixture("go.sum.updated"), FacetType::kLangGo);
  EXPECT_EQ(entry.cause, DriftCause::kPackageUpdate);
  EXPECT_EQ(entry.detail,
            "golang.org/x/net v0.17.0 -> v0.23.0, golang.org/x/text v0.13.0 -> v0.14.0");
}

TEST(DriftCauses, RequirementsAddedPinIsNewDependency) {
  const auto entry =
      modified_with_inventories("/app/requirements.txt", fixture("requirements.base.txt"),
                                fixture("requirements.added.txt"), FacetType::kLangPython);
  EXPECT_EQ(entry.cause, DriftCause::kNewDependency);
  EXPECT_EQ(entry.detail, "+gunicorn 22.0.0");
}

TEST(DriftCauses, RequirementsParserNormalizesNamesAndStripsMarkersAndHashes) {
  const auto packages =
      parse_inventory(InventoryFormat::kRequirements, fixture("requirements.base.txt"));
  ASSERT_TRUE(packages.has_value());
  EXPECT_EQ(*packages, (PackageVersions{{"certifi", "2024.2.2"},
                                        {"charset-normalizer", "3.3.2"},
                                        {"django", "4.2.11"},
                                        {"idna", "3.6"},
                                        {"requests", "2.31.0"},
                                        {"urllib3", "2.2.1"}}));
}

TEST(DriftCauses, LockfileWithOnlyIntegrityChangesIsUnknown) {
  const std::string before =
      R"({"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0","integrity":"sha512-AAAA"}}})";
  const std::string after =
      R"({"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0","integrity":"sha512-BBBB"}}})";
  const auto entry =
      modified_with_inventories("/app/package-lock.json", before, after, FacetType::kLangNode);
  EXPECT_EQ(entry.cause, DriftCause::kUnknown);
  EXPECT_EQ(entry.detail, "no dependency version changed");
}

TEST(DriftCauses, LockfilesWithoutInventoryFallBackByChangeKind) {
  const auto baseline =
      manifest("lang/node", FacetType::kLangNode,
               {file("/a/package-lock.json", 'a', 1), file("/b/yarn.lock", 'b', 1)});
  const auto current =
      manifest("lang/node", FacetType::kLangNode,
               {file("/a/package-lock.json", 'c', 1), file("/c/yarn.lock", 'd', 1)});
  const auto drift = compute_drift(baseline, current, nullptr, nullptr);
  ASSERT_EQ(drift.added.size(), 1u);
  ASSERT_EQ(drift.removed.size(), 1u);
  ASSERT_EQ(drift.modified.size(), 1u);
  EXPECT_EQ(drift.added[0].cause, DriftCause::kNewDependency);
  EXPECT_EQ(drift.removed[0].cause, DriftCause::kRemovedDependency);
  EXPECT_EQ(drift.modified[0].cause, DriftCause::kPackageUpdate);
}

TEST(DriftCauses, NewLockfileWithInventoryListsItsDependencies) {
  const std::string path = "/srv/go.sum";
  const auto baseline = manifest("lang/go", FacetType::kLangGo, {});
  const auto current = manifest("lang/go", FacetType::kLangGo, {file(path, 'a', 10)});
  const Inventory before;  // captured, and the file was not there
  const auto after = build_inventory({{path, fixture("go.sum.base")}});
  const auto drift = compute_drift(baseline, current, &before, &after);
  ASSERT_EQ(drift.added.size(), 1u);
  EXPECT_EQ(drift.added[0].cause, DriftCause::kNewDependency);
  EXPECT_EQ(
      drift.added[0].detail,
      "+github.com/google/uuid v1.3.0, +golang.org/x/net v0.17.0, +golang.org/x/text v0.13.0");
}

TEST(DriftCauses, EtcEditIsConfigChange) {
  const auto baseline =
      manifest("config", FacetType::kConfig, {file("/etc/nginx/nginx.conf", 'a', 100)});
  const auto current = manifest(
      "config", FacetType::kConfig,
      {file("/etc/nginx/nginx.conf", 'b', 120), file("/etc/nginx/conf.d/extra.conf", 'c', 10)});
  const auto drift = compute_drift(baseline, current, nullptr, nullptr);
  ASSERT_EQ(drift.modified.size(), 1u);
  ASSERT_EQ(drift.added.size(), 1u);
  EXPECT_EQ(drift.modified[0].cause, DriftCause::kConfigChange);
  EXPECT_EQ(drift.added[0].cause, DriftCause::kConfigChange);
}

TEST(DriftCauses, ReplacedBinaryIsBinaryRebuildButANewOneIsNot) {
  const auto baseline =
      manifest("binary", FacetType::kBinary,
               {file("/usr/bin/curl", 'a', 250000, 0755), file("/usr/lib/libz.so.1", 'b', 100)});
  const auto current =
      manifest("binary", FacetType::kBinary,
               {file("/usr/bin/curl", 'c', 260000, 0755), file("/usr/bin/wget", 'd', 9000, 0755),
                file("/usr/lib/libz.so.1", 'e', 101)});
  const auto drift = compute_drift(baseline, current, nullptr, nullptr);
  ASSERT_EQ(paths(drift.modified),
            (std::vector<std::string>{"/usr/bin/curl", "/usr/lib/libz.so.1"}));
  EXPECT_EQ(drift.modified[0].cause, DriftCause::kBinaryRebuild);
  EXPECT_EQ(drift.modified[1].cause, DriftCause::kBinaryRebuild);  // binary facet, no x bit
  ASSERT_EQ(drift.added.size(), 1u);
  EXPECT_EQ(drift.added[0].cause, DriftCause::kUnknown);
}

TEST(DriftCauses, ExecutableOutsideTheBinaryFacetIsBinaryRebuild) {
  const auto baseline =
      manifest("custom/app", FacetType::kCustom, {file("/opt/app/server", 'a', 10, 0750)});
  const auto current =
      manifest("custom/app", FacetType::kCustom, {file("/opt/app/server", 'b', 11, 0750)});
  const auto drift = compute_drift(baseline, current, nullptr, nullptr);
  ASSERT_EQ(drift.modified.size(), 1u);
  EXPECT_EQ(drift.modified[0].cause, DriftCause::kBinaryRebuild);
}

TEST(DriftCauses, PackageDatabaseTakesPrecedenceOverEtc) {
  // /etc/apt is in the os facet but not a package database: ConfigChange.
  const auto baseline = manifest("os", FacetType::kOs, {file("/etc/apt/sources.list", 'a', 1)});
  const auto current = manifest("os", FacetType::kOs, {file("/etc/apt/sources.list", 'b', 2)});
  EXPECT_EQ(compute_drift(baseline, current, nullptr, nullptr).modified[0].cause,
            DriftCause::kConfigChange);
}

TEST(DriftCauses, LongChangeListsAreCut) {
  std::string before;
  std::string after;
  for (int i = 0; i < 8; ++i) {
    after += "P:pkg" + std::to_string(i) + "\nV:1.0-r0\n\n";
  }
  const auto entry = modified_with_inventories("/lib/apk/db/installed", before, after);
  EXPECT_EQ(entry.detail,
            "+pkg0 1.0-r0, +pkg1 1.0-r0, +pkg2 1.0-r0, +pkg3 1.0-r0, +pkg4 1.0-r0, and 3 more");
}

// ---- inventory ---------------------------------------------------------

TEST(Inventory, RecognizesInventoryFilesByPathAndName) {
  EXPECT_TRUE(is_inventory_file("/var/lib/dpkg/status"));
  EXPECT_TRUE(is_inventory_file("/lib/apk/db/installed"));
  EXPECT_TRUE(is_inventory_file("/srv/app/package-lock.json"));
  EXPECT_TRUE(is_inventory_file("/srv/app/node_modules/.package-lock.json"));
  EXPECT_TRUE(is_inventory_file("/srv/app/yarn.lock"));
  EXPECT_TRUE(is_inventory_file("/srv/app/pnpm-lock.yaml"));
  EXPECT_TRUE(is_inventory_file("/app/requirements.txt"));
  EXPECT_TRUE(is_inventory_file("/app/requirements-dev.txt"));
  EXPECT_TRUE(is_inventory_file("/app/Pipfile.lock"));
  EXPECT_TRUE(is_inventory_file("/app/poetry.lock"));
  EXPECT_TRUE(is_inventory_file("/go/src/x/go.sum"));
  EXPECT_TRUE(is_inventory_file("/src/Cargo.lock"));
  EXPECT_FALSE(is_inventory_file("/var/lib/dpkg/status-old"));
  EXPECT_FALSE(is_inventory_file("/var/lib/rpm/Packages"));
  EXPECT_FALSE(is_inventory_file("/srv/app/package.json"));
  EXPECT_FALSE(is_inventory_file("/go/src/x/go.mod"));
  EXPECT_FALSE(is_inventory_file("/app/my-requirements.txt.bak"));
}

TEST(Inventory, UnparseableFilesAreLeftOut) {
  const auto inventory = build_inventory({{"/app/package-lock.json", "{\"packages\": [truncated"},
                                          {"/app/Pipfile.lock", "not json"},
                                          {"/app/README.md", "Package: x\nVersion: 1\n"},
                                          {"/app/requirements.txt", ""}});
  EXPECT_EQ(inventory.by_file.count("/app/package-lock.json"), 0u);
  EXPECT_EQ(inventory.by_file.count("/app/Pipfile.lock"), 0u);
  EXPECT_EQ(inventory.by_file.count("/app/README.md"), 0u);
  ASSERT_EQ(inventory.by_file.count("/app/requirements.txt"), 1u);  // empty but well-formed
  EXPECT_TRUE(inventory.by_file.at("/app/requirements.txt").empty());
}

TEST(Inventory, YarnLockV1AndBerry) {
  const std::string v1 = R"(# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.22.13":
  version "7.22.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.22.13.tgz#e3c1c099402598483b7a8c46a721d1038803755e"
  integrity sha512-XktuhWlJ5g+3TJXc5upd9Ks1HutSArik6jf2eAjYFyIOf4ej3RN+184cZbzDvbPnuTJIUhPKKJE3cIsYTiAT3w==
  dependencies:
    "@babel/highlight" "^7.22.13"
    version "^1.0.0"

lodash@^4.17.20, lodash@^4.17.21:
  version "4.17.21"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz#679591c564c3bffaae8454cf0b3df370c3d6911c"
)";
  EXPECT_EQ(parse_inventory(InventoryFormat::kYarnLock, v1),
            (PackageVersions{{"@babel/code-frame", "7.22.13"}, {"lodash", "4.17.21"}}));
  const std::string berry = R"(__metadata:
  version: 6
  cacheKey: 8

"lodash@npm:^4.17.21":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"
  checksum: eb835a2e51d381e561e508ce932ea50a8e5a68f4ebdd771ea240d3048244a8d13658acbd502cd4829768c56f2e16bdd4340b9ea141297d472517b83868e677f7
  languageName: node
  linkType: hard
)";
  EXPECT_EQ(parse_inventory(InventoryFormat::kYarnLock, berry),
            (PackageVersions{{"lodash", "4.17.21"}}));
}

TEST(Inventory, PnpmLockV5V6AndV9Keys) {
  const std::string v6 = R"(lockfileVersion: '6.0'

dependencies:
  react:
    specifier: ^18.2.0
    version: 18.2.0

packages:

  /js-tokens@4.0.0:
    resolution: {integrity: sha512-RdJUflcE3cUzKiMqQgsCu06FHv9Ytaq6Xp0y4bK2Dg==}
    dev: false

  /react-dom@18.2.0(react@18.2.0):
    resolution: {integrity: sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==}
)";
  EXPECT_EQ(parse_inventory(InventoryFormat::kPnpmLock, v6),
            (PackageVersions{{"js-tokens", "4.0.0"}, {"react-dom", "18.2.0"}}));
  const std::string v5 =
      "lockfileVersion: 5.4\n\npackages:\n\n  /@types/node/20.8.0:\n    dev: true\n";
  EXPECT_EQ(parse_inventory(InventoryFormat::kPnpmLock, v5),
            (PackageVersions{{"@types/node", "20.8.0"}}));
  const std::string v9 =
      "lockfileVersion: '9.0'\n\npackages:\n\n  '@babel/core@7.23.0':\n    resolution: {}\n";
  EXPECT_EQ(parse_inventory(InventoryFormat::kPnpmLock, v9),
            (PackageVersions{{"@babel/core", "7.23.0"}}));
}

TEST(Inventory, PoetryAndCargoLocks) {
  const std::string poetry = R"([[package]]
name = "Flask"
version = "3.0.2"
description = "A simple framework for building complex web applications."
optional = false
python-versions = ">=3.8"

[package.dependencies]
Werkzeug = ">=3.0.0"

[[package]]
name = "zope.interface"
version = "6.2"

[metadata]
lock-version = "2.0"
python-versions = "^3.11"
content-hash = "abc"
)";
  EXPECT_EQ(parse_inventory(InventoryFormat::kPoetryLock, poetry),
            (PackageVersions{{"flask", "3.0.2"}, {"zope-interface", "6.2"}}));
  const std::string cargo = R"(# This file is automatically @generated by Cargo.
version = 3

[[package]]
name = "serde"
version = "1.0.197"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "3fb1c873e1b9b056a4dc4c0c198b24c3ffa059243875552b2bd0933b1aee4ce2"
dependencies = [
 "serde_derive",
]

[[package]]
name = "serde_derive"
version = "1.0.197"
)";
  EXPECT_EQ(parse_inventory(InventoryFormat::kCargoLock, cargo),
            (PackageVersions{{"serde", "1.0.197"}, {"serde_derive", "1.0.197"}}));
}

TEST(Inventory, PipfileLockDefaultAndDevelop) {
  const std::string lock = R"({
    "_meta": {"hash": {"sha256": "abc"}, "pipfile-spec": 6},
    "default": {"Requests": {"hashes": ["sha256:58cd"], "version": "==2.31.0"}},
    "develop": {"pytest": {"version": "==8.1.1"}}
  })";
  EXPECT_EQ(parse_inventory(InventoryFormat::kPipfileLock, lock),
            (PackageVersions{{"pytest", "8.1.1"}, {"requests", "2.31.0"}}));
}

TEST(Inventory, SecurityVersions) {
  EXPECT_TRUE(is_security_version("2.5.0-1+deb12u1"));
  EXPECT_TRUE(is_security_version("3.0.15-1~deb12u2"));
  EXPECT_TRUE(is_security_version("1.1.1n-0+deb10u6"));
  EXPECT_TRUE(is_security_version("1.1.1f-1ubuntu2.16"));
  EXPECT_TRUE(is_security_version("2.35-0ubuntu3.6"));
  EXPECT_TRUE(is_security_version("2.7.4-0ubuntu1.6+esm1"));
  EXPECT_TRUE(is_security_version("1:1.2.11.dfsg-2+esm1"));  // ESM on a Debian revision
  EXPECT_FALSE(is_security_version("5.2.21-2"));
  EXPECT_FALSE(is_security_version("5.2.15-2+b2"));    // binNMU rebuild
  EXPECT_FALSE(is_security_version("2.35-0ubuntu3"));  // release version
  EXPECT_FALSE(is_security_version("1.2.4-r3"));       // Alpine: undecidable
  EXPECT_FALSE(is_security_version("7.88.1-10"));
  EXPECT_FALSE(is_security_version("1.0.0-debug1"));
}

TEST(Inventory, DpkgInfoPackage) {
  EXPECT_EQ(dpkg_info_package("/var/lib/dpkg/info/libssl3:amd64.md5sums"), "libssl3");
  EXPECT_EQ(dpkg_info_package("/var/lib/dpkg/info/bash.list"), "bash");
  EXPECT_EQ(dpkg_info_package("/var/lib/dpkg/info/format"), "");
  EXPECT_EQ(dpkg_info_package("/var/lib/dpkg/status"), "");
}

TEST(Inventory, PythonNameNormalization) {
  EXPECT_EQ(normalize_python_name("Django"), "django");
  EXPECT_EQ(normalize_python_name("zope.interface"), "zope-interface");
  EXPECT_EQ(normalize_python_name("Foo__Bar-.baz"), "foo-bar-baz");
}

}  // namespace
}  // namespace zastava::facet
