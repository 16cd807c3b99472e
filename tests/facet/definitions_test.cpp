// Tests for facet/definitions.hpp: the seed's default facets (section 6),
// classification of a real-looking image's files, and YAML definitions.
#include "facet/definitions.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace zastava::facet {
namespace {

const std::filesystem::path kData = std::filesystem::path(ZASTAVA_TESTDATA_DIR) / "facet";

std::vector<std::string> patterns(const std::vector<Glob>& globs) {
  std::vector<std::string> out;
  for (const Glob& glob : globs) out.push_back(glob.pattern());
  return out;
}

// The facet id `path` lands in, or "" for none.
std::string facet_of(const FacetSet& set, std::string_view path) {
  const FacetDefinition* definition = set.classify(path);
  return definition == nullptr ? "" : definition->id;
}

FacetQuota quota(double churn, std::int64_t changed, std::int64_t added, std::int64_t removed,
                 QuotaAction action) {
  return FacetQuota{churn, changed, added, removed, action};
}

// ---- the defaults, checked field by field against the seed's text ----

TEST(FacetDefaults, AreTheSeedsSixFacetsInOrder) {
  const FacetSet set = FacetSet::defaults();
  std::vector<std::string> ids;
  std::vector<FacetType> types;
  for (const FacetDefinition& definition : set.definitions()) {
    ids.push_back(definition.id);
    types.push_back(definition.type);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"os", "lang/node", "lang/python", "lang/go", "binary",
                                           "config"}));
  EXPECT_EQ(types,
            (std::vector<FacetType>{FacetType::kOs, FacetType::kLangNode, FacetType::kLangPython,
                                    FacetType::kLangGo, FacetType::kBinary, FacetType::kConfig}));
}

TEST(FacetDefaults, GlobsAreTheSeeds) {
  const FacetSet set = FacetSet::defaults();
  EXPECT_EQ(patterns(set.find("os")->include),
            (std::vector<std::string>{"/var/lib/dpkg/**", "/var/lib/rpm/**", "/var/lib/pacman/**",
                                      "/var/lib/apk/**", "/var/cache/apt/**", "/etc/apt/**",
                                      "/etc/yum.repos.d/**"}));
  EXPECT_EQ(patterns(set.find("os")->exclude), (std::vector<std::string>{"**/*.log"}));
  EXPECT_EQ(
      patterns(set.find("lang/node")->include),
      (std::vector<std::string>{"**/node_modules/**", "**/package.json", "**/package-lock.json",
                                "**/yarn.lock", "**/pnpm-lock.yaml"}));
  EXPECT_TRUE(set.find("lang/node")->exclude.empty());
  EXPECT_EQ(patterns(set.find("lang/python")->include),
            (std::vector<std::string>{"**/site-packages/**", "**/dist-packages/**",
                                      "**/requirements.txt", "**/Pipfile.lock", "**/poetry.lock"}));
  EXPECT_EQ(patterns(set.find("lang/go")->include),
            (std::vector<std::string>{"**/go.mod", "**/go.sum", "**/vendor/**"}));
  EXPECT_EQ(patterns(set.find("binary")->include),
            (std::vector<std::string>{"/usr/bin/*", "/usr/sbin/*", "/bin/*", "/sbin/*",
                                      "/usr/lib/**/*.so*", "/lib/**/*.so*", "/usr/local/bin/*"}));
  EXPECT_EQ(patterns(set.find("binary")->exclude),
            (std::vector<std::string>{"**/*.py", "**/*.sh"}));
  EXPECT_EQ(patterns(set.find("config")->include),
            (std::vector<std::string>{"/etc/**", "**/*.conf", "**/*.cfg", "**/*.ini", "**/*.yaml",
                                      "**/*.yml", "**/*.json"}));
  EXPECT_EQ(patterns(set.find("config")->exclude),
            (std::vector<std::string>{"/etc/passwd", "/etc/shadow", "/etc/group", "**/*.log"}));
}

TEST(FacetDefaults, QuotasAreTheSeedsWithFacetQuotaDefaultsForTheRest) {
  const FacetSet set = FacetSet::defaults();
  // maxAddedFiles 25 and maxRemovedFiles 10 are FacetQuota's defaults (seed 3.4).
  EXPECT_EQ(set.find("os")->quota, quota(5.0, 100, 25, 10, QuotaAction::kWarn));
  EXPECT_EQ(set.find("lang/node")->quota, quota(10.0, 500, 25, 10, QuotaAction::kRequireVex));
  EXPECT_EQ(set.find("lang/python")->quota, quota(10.0, 200, 25, 10, QuotaAction::kWarn));
  EXPECT_EQ(set.find("lang/go")->quota, quota(15.0, 100, 25, 10, QuotaAction::kWarn));
  EXPECT_EQ(set.find("binary")->quota, quota(2.0, 20, 25, 10, QuotaAction::kBlock));
  EXPECT_EQ(set.find("config")->quota, quota(20.0, 50, 25, 10, QuotaAction::kWarn));
}

TEST(FacetDefaults, FindReturnsNullForUnknownIds) {
  const FacetSet set = FacetSet::defaults();
  EXPECT_NE(set.find("binary"), nullptr);
  EXPECT_EQ(set.find("lang/rust"), nullptr);
  EXPECT_EQ(set.find(""), nullptr);
}

// ---- classification of the files of a Debian-based node/python/go image ----

TEST(FacetClassification, PackageDatabasesAreOs) {
  const FacetSet set = FacetSet::defaults();
  EXPECT_EQ(facet_of(set, "/var/lib/dpkg/status"), "os");
  EXPECT_EQ(facet_of(set, "/var/lib/dpkg/info/libssl3:amd64.list"), "os");
  EXPECT_EQ(facet_of(set, "/var/lib/apk/db/installed"), "os");
  EXPECT_EQ(facet_of(set, "/var/lib/rpm/rpmdb.sqlite"), "os");
  EXPECT_EQ(facet_of(set, "/var/cache/apt/pkgcache.bin"), "os");
}

TEST(FacetClassification, OsWinsOverConfigForAptAndYumConfiguration) {
  // Both os and config include these; os comes first, so they are os only.
  const FacetSet set = FacetSet::defaults();
  EXPECT_TRUE(set.find("config")->includes("/etc/apt/sources.list"));
  EXPECT_EQ(facet_of(set, "/etc/apt/sources.list"), "os");
  EXPECT_EQ(facet_of(set, "/etc/apt/apt.conf.d/docker-clean"), "os");
  EXPECT_EQ(facet_of(set, "/etc/yum.repos.d/fedora.repo"), "os");
}

TEST(FacetClassification, NodeWinsOverConfigForPackageJson) {
  const FacetSet set = FacetSet::defaults();
  EXPECT_TRUE(set.find("config")->includes("/app/node_modules/left-pad/package.json"));
  EXPECT_EQ(facet_of(set, "/app/node_modules/left-pad/package.json"), "lang/node");
  EXPECT_EQ(facet_of(set, "/app/node_modules/left-pad/index.js"), "lang/node");
  EXPECT_EQ(facet_of(set, "/app/package.json"), "lang/node");
  EXPECT_EQ(facet_of(set, "/app/package-lock.json"), "lang/node");
  EXPECT_EQ(facet_of(set, "/usr/lib/node_modules/npm/bin/npm-cli.js"), "lang/node");
  EXPECT_EQ(facet_of(set, "/app/tsconfig.json"), "config");  // other JSON stays config
}

TEST(FacetClassification, PythonWinsOverBinaryForExtensionModules) {
  const FacetSet set = FacetSet::defaults();
  const std::string_view extension =
      "/usr/lib/python3/dist-packages/yaml/_yaml.cpython-311-x86_64-linux-gnu.so";
  EXPECT_TRUE(set.find("binary")->includes(extension));
  EXPECT_EQ(facet_of(set, extension), "lang/python");
  EXPECT_EQ(facet_of(set, "/usr/local/lib/python3.11/site-packages/requests/api.py"),
            "lang/python");
  EXPECT_EQ(facet_of(set, "/srv/requirements.txt"), "lang/python");
}

TEST(FacetClassification, GoModulesAndVendorTrees) {
  const FacetSet set = FacetSet::defaults();
  EXPECT_EQ(facet_of(set, "/src/app/go.mod"), "lang/go");
  EXPECT_EQ(facet_of(set, "/src/app/go.sum"), "lang/go");
  EXPECT_EQ(facet_of(set, "/src/app/vendor/github.com/pkg/errors/errors.go"), "lang/go");
}

TEST(FacetClassification, BinariesAndLibraries) {
  const FacetSet set = FacetSet::defaults();
  EXPECT_EQ(facet_of(set, "/usr/bin/bash"), "binary");
  EXPECT_EQ(facet_of(set, "/bin/ls"), "binary");
  EXPECT_EQ(facet_of(set, "/usr/sbin/nginx"), "binary");
  EXPECT_EQ(facet_of(set, "/usr/local/bin/node"), "binary");
  EXPECT_EQ(facet_of(set, "/usr/lib/x86_64-linux-gnu/libssl.so.3"), "binary");
  EXPECT_EQ(facet_of(set, "/lib/x86_64-linux-gnu/libc.so.6"), "binary");
  // Scripts are excluded from binary and belong nowhere else.
  EXPECT_EQ(facet_of(set, "/usr/bin/gettext.sh"), "");
  EXPECT_EQ(facet_of(set, "/usr/bin/py3clean.py"), "");
  // "/usr/bin/*" is one level only.
  EXPECT_EQ(facet_of(set, "/usr/bin/x86_64/tool"), "");
}

TEST(FacetClassification, ConfigurationFiles) {
  const FacetSet set = FacetSet::defaults();
  EXPECT_EQ(facet_of(set, "/etc/os-release"), "config");
  EXPECT_EQ(facet_of(set, "/etc/nginx/nginx.conf"), "config");
  EXPECT_EQ(facet_of(set, "/etc/ssl/openssl.cnf"), "config");
  EXPECT_EQ(facet_of(set, "/srv/app/settings.ini"), "config");
  EXPECT_EQ(facet_of(set, "/srv/app/deploy.yml"), "config");
}

TEST(FacetClassification, ExcludesBeatIncludes) {
  const FacetSet set = FacetSet::defaults();
  EXPECT_EQ(facet_of(set, "/etc/passwd"), "");
  EXPECT_EQ(facet_of(set, "/etc/shadow"), "");
  EXPECT_EQ(facet_of(set, "/etc/group"), "");
  EXPECT_EQ(facet_of(set, "/etc/gshadow"), "config");  // not in the seed's list
  EXPECT_EQ(facet_of(set, "/var/lib/dpkg/dpkg.log"), "");
  EXPECT_EQ(facet_of(set, "/etc/apt/history.log"), "");
}

TEST(FacetClassification, UnclaimedFilesBelongNowhere) {
  const FacetSet set = FacetSet::defaults();
  EXPECT_EQ(facet_of(set, "/usr/share/doc/bash/README"), "");
  EXPECT_EQ(facet_of(set, "/var/log/dpkg.log"), "");
  EXPECT_EQ(facet_of(set, "/srv/app/index.html"), "");
}

// ---- YAML definitions ----

TEST(FacetDefinitionsYaml, LoadsAUserFileInItsOrder) {
  auto set = FacetSet::load(kData / "custom_facets.yaml");
  ASSERT_TRUE(set.ok()) << set.error().describe();
  ASSERT_EQ(set->definitions().size(), 3u);
  const FacetDefinition& app = set->definitions()[0];
  EXPECT_EQ(app.id, "custom/app");
  EXPECT_EQ(app.type, FacetType::kCustom);
  EXPECT_EQ(patterns(app.include), (std::vector<std::string>{"/srv/app/**"}));
  EXPECT_EQ(patterns(app.exclude), (std::vector<std::string>{"**/*.tmp"}));
  EXPECT_EQ(app.quota, quota(5.0, 1000, 25, 10, QuotaAction::kBlock));
  EXPECT_EQ(set->find("os")->quota, FacetQuota{});  // no quota: all defaults
  EXPECT_EQ(set->find("config")->quota, quota(50.0, 50, 0, 3, QuotaAction::kRequireVex));
  EXPECT_EQ(facet_of(*set, "/srv/app/main.conf"), "custom/app");
  EXPECT_EQ(facet_of(*set, "/srv/app/cache.tmp"), "");
  EXPECT_EQ(facet_of(*set, "/etc/hosts"), "config");
  EXPECT_EQ(facet_of(*set, "/usr/bin/bash"), "");  // the file replaces the defaults
}

TEST(FacetDefinitionsYaml, LoadErrorsNameTheFile) {
  auto missing = FacetSet::load(kData / "no_such_file.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no_such_file.yaml"), std::string::npos);

  auto bad = FacetSet::load(kData / "unknown_field.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("unknown_field.yaml"), std::string::npos);
  EXPECT_NE(bad.error().message.find("custom/app"), std::string::npos);
  EXPECT_NE(bad.error().message.find("maxChurn"), std::string::npos);
}

// Parses `yaml` expecting an error whose message contains every one of `parts`.
void expect_error(std::string_view yaml, std::initializer_list<std::string_view> parts) {
  auto set = FacetSet::from_yaml(yaml);
  ASSERT_FALSE(set.ok()) << yaml;
  EXPECT_EQ(set.error().code, ErrorCode::kInvalidArgument) << set.error().describe();
  for (const std::string_view part : parts) {
    EXPECT_NE(set.error().message.find(part), std::string::npos)
        << "missing \"" << part << "\" in: " << set.error().message;
  }
}

std::string one_facet(std::string_view body) {
  return "facets:\n  - facetId: custom/app\n    type: Custom\n" + std::string(body);
}

TEST(FacetDefinitionsYaml, UnknownFieldsNameTheFacetAndField) {
  expect_error(one_facet("    includeGlob: [/srv/**]\n"), {"custom/app", "includeGlob", "unknown"});
  expect_error(one_facet("    includeGlobs: [/srv/**]\n    quota:\n      maxChanged: 3\n"),
               {"custom/app", "maxChanged"});
  expect_error("facets:\n  - facetId: os\n    type: OS\n    includeGlobs: [/x]\nversion: 2\n",
               {"version"});
}

TEST(FacetDefinitionsYaml, QuotaRanges) {
  const auto with_quota = [](std::string_view quota_line) {
    return one_facet("    includeGlobs: [/srv/**]\n    quota:\n      " + std::string(quota_line) +
                     "\n");
  };
  expect_error(with_quota("maxChurnPercent: 100.5"),
               {"custom/app", "quota.maxChurnPercent", "100"});
  expect_error(with_quota("maxChurnPercent: -1"), {"quota.maxChurnPercent"});
  expect_error(with_quota("maxChurnPercent: five"), {"quota.maxChurnPercent", "number"});
  expect_error(with_quota("maxChangedFiles: -1"), {"quota.maxChangedFiles", ">= 0"});
  expect_error(with_quota("maxAddedFiles: 2.5"), {"quota.maxAddedFiles", "whole number"});
  expect_error(with_quota("maxRemovedFiles: true"), {"quota.maxRemovedFiles"});
  expect_error(with_quota("onExceed: Deny"), {"quota.onExceed", "Deny", "RequireVex"});
  expect_error(one_facet("    includeGlobs: [/srv/**]\n    quota: 5\n"), {"quota", "mapping"});
  // The edges are allowed.
  auto edges = FacetSet::from_yaml(
      one_facet("    includeGlobs: [/srv/**]\n    quota:\n      maxChurnPercent: 0\n"
                "      maxChangedFiles: 0\n"));
  ASSERT_TRUE(edges.ok()) << edges.error().describe();
  EXPECT_EQ(edges->definitions()[0].quota.max_churn_percent, 0.0);
  EXPECT_TRUE(
      FacetSet::from_yaml(
          one_facet("    includeGlobs: [/srv/**]\n    quota:\n      maxChurnPercent: 100\n"))
          .ok());
}

TEST(FacetDefinitionsYaml, IdsAndTypesMustAgree) {
  expect_error("facets:\n  - facetId: os\n    type: Config\n    includeGlobs: [/x]\n",
               {"facet \"os\"", "OS", "Config"});
  expect_error("facets:\n  - facetId: frontend\n    type: Custom\n    includeGlobs: [/x]\n",
               {"frontend", "custom/<name>"});
  expect_error("facets:\n  - facetId: custom/x\n    type: Cstom\n    includeGlobs: [/x]\n",
               {"custom/x", "type", "Cstom"});
  expect_error("facets:\n  - type: OS\n    includeGlobs: [/x]\n", {"facets[0]", "facetId"});
  expect_error("facets:\n  - facetId: os\n    includeGlobs: [/x]\n", {"facet \"os\"", "type"});
}

TEST(FacetDefinitionsYaml, IdsAreUnique) {
  expect_error(
      "facets:\n  - facetId: os\n    type: OS\n    includeGlobs: [/x]\n"
      "  - facetId: os\n    type: OS\n    includeGlobs: [/y]\n",
      {"facets[1]", "duplicate", "os"});
}

TEST(FacetDefinitionsYaml, GlobsAreRequiredAndCompiled) {
  expect_error(one_facet(""), {"custom/app", "includeGlobs", "missing"});
  expect_error(one_facet("    includeGlobs: []\n"), {"includeGlobs", "empty"});
  expect_error(one_facet("    includeGlobs: /srv/**\n"), {"includeGlobs", "list"});
  expect_error(one_facet("    includeGlobs: [\"/srv/[abc\"]\n"),
               {"custom/app", "includeGlobs[0]", "/srv/[abc"});
  expect_error(one_facet("    includeGlobs: [/srv/**]\n    excludeGlobs: [\"a**b\"]\n"),
               {"excludeGlobs[0]", "a**b"});
  expect_error(one_facet("    includeGlobs: [42]\n"), {"includeGlobs[0]", "string"});
}

TEST(FacetDefinitionsYaml, DocumentShape) {
  expect_error("", {"facet definitions"});
  expect_error("facets: []\n", {"facets", "empty"});
  expect_error("other: 1\n", {"other"});
  expect_error("facets: {os: 1}\n", {"facets", "list"});
  expect_error("- facetId: os\n", {"mapping"});
  auto syntax = FacetSet::from_yaml("facets: [\n");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.error().code, ErrorCode::kParse);
  EXPECT_NE(syntax.error().message.find("facet definitions"), std::string::npos);
}

TEST(FacetDefinitionsYaml, ExcludeBeatsIncludeInOneDefinition) {
  auto set = FacetSet::from_yaml(
      one_facet("    includeGlobs: [/srv/**]\n    excludeGlobs: [\"/srv/secret/*\"]\n"));
  ASSERT_TRUE(set.ok()) << set.error().describe();
  const FacetDefinition& app = set->definitions()[0];
  EXPECT_TRUE(app.includes("/srv/a"));
  EXPECT_FALSE(app.includes("/srv/secret/key"));
  EXPECT_TRUE(app.includes("/srv/secret/sub/key"));  // '*' stays in one segment
  EXPECT_FALSE(app.includes("/opt/a"));
}

}  // namespace
}  // namespace zastava::facet
