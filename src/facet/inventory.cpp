#include "facet/inventory.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

namespace zastava::facet {
namespace {

// ---- small text helpers ----------------------------------------------------

std::string_view basename_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool starts_with_any(std::string_view path, std::initializer_list<std::string_view> prefixes) {
  for (const auto prefix : prefixes) {
    if (path.starts_with(prefix)) return true;
  }
  return false;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

std::string_view unquote(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front()) {
    return text.substr(1, text.size() - 2);
  }
  return text;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      if (start < text.size()) lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  for (auto& line : lines) {
    if (line.ends_with('\r')) line.remove_suffix(1);
  }
  return lines;
}

// Collects every version seen for a name, then renders them as
// PackageVersions (distinct versions sorted, joined with ", ").
class VersionCollector {
 public:
  void add(std::string_view name, std::string_view version) {
    if (name.empty()) return;
    versions_[std::string(name)].insert(std::string(version));
  }
  PackageVersions finish() const {
    PackageVersions result;
    for (const auto& [name, versions] : versions_) {
      std::string joined;
      for (const auto& version : versions) {
        if (!joined.empty()) joined += ", ";
        joined += version;
      }
      result.emplace(name, std::move(joined));
    }
    return result;
  }

 private:
  std::map<std::string, std::set<std::string>> versions_;
};

// ---- OS package databases --------------------------------------------------

// dpkg keeps removed packages whose configuration files remain
// ("deinstall ok config-files") and forgotten ones ("not-installed").
bool dpkg_status_is_present(std::string_view status) {
  return !(status.ends_with("config-files") || status.ends_with("not-installed"));
}

PackageVersions parse_dpkg_status(std::string_view content) {
  VersionCollector packages;
  std::string name;
  std::string version;
  bool present = true;
  auto end_stanza = [&] {
    if (!name.empty() && present) packages.add(name, version);
    name.clear();
    version.clear();
    present = true;
  };
  for (const auto line : split_lines(content)) {
    if (trim(line).empty()) {
      end_stanza();
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') continue;  // continuation line
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto field = line.substr(0, colon);
    const auto value = trim(line.substr(colon + 1));
    if (field == "Package") {
      name = value;
    } else if (field == "Version") {
      version = value;
    } else if (field == "Status") {
      present = dpkg_status_is_present(value);
    }
  }
  end_stanza();
  return packages.finish();
}

PackageVersions parse_apk_installed(std::string_view content) {
  VersionCollector packages;
  std::string name;
  std::string version;
  auto end_stanza = [&] {
    packages.add(name, version);
    name.clear();
    version.clear();
  };
  for (const auto line : split_lines(content)) {
    if (trim(line).empty()) {
      end_stanza();
    } else if (line.starts_with("P:")) {
      name = line.substr(2);
    } else if (line.starts_with("V:")) {
      version = line.substr(2);
    }
  }
  end_stanza();
  return packages.finish();
}

// ---- JSON lockfiles --------------------------------------------------------

void collect_npm_v1_dependencies(const nlohmann::json& dependencies, VersionCollector& packages) {
  if (!dependencies.is_object()) return;
  for (const auto& [name, dependency] : dependencies.items()) {
    if (!dependency.is_object()) continue;
    const auto version = dependency.find("version");
    if (version != dependency.end() && version->is_string()) {
      packages.add(name, version->get<std::string>());
    }
    const auto nested = dependency.find("dependencies");
    if (nested != dependency.end()) collect_npm_v1_dependencies(*nested, packages);
  }
}

// lockfileVersion 2 and 3 list every installed package under "packages",
// keyed by its install path: "node_modules/a", "node_modules/a/node_modules/b".
// The root ("") and workspace folders are the project itself, not dependencies.
void collect_npm_packages(const nlohmann::json& packages_object, VersionCollector& packages) {
  static constexpr std::string_view kNodeModules = "node_modules/";
  for (const auto& [key, package] : packages_object.items()) {
    const auto at = key.rfind(kNodeModules);
    if (at == std::string::npos || !package.is_object()) continue;
    const auto version = package.find("version");
    if (version == package.end() || !version->is_string()) continue;  // links have no version
    packages.add(std::string_view(key).substr(at + kNodeModules.size()),
                 version->get<std::string>());
  }
}

std::optional<PackageVersions> parse_npm_lock(std::string_view content) {
  const auto document = nlohmann::json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return std::nullopt;
  VersionCollector packages;
  const auto packages_object = document.find("packages");
  if (packages_object != document.end() && packages_object->is_object()) {
    collect_npm_packages(*packages_object, packages);
  } else {
    const auto dependencies = document.find("dependencies");
    if (dependencies != document.end()) collect_npm_v1_dependencies(*dependencies, packages);
  }
  return packages.finish();
}

std::optional<PackageVersions> parse_pipfile_lock(std::string_view content) {
  const auto document = nlohmann::json::parse(content, nullptr, /*allow_exceptions=*/false);
  if (!document.is_object()) return std::nullopt;
  VersionCollector packages;
  for (const char* section : {"default", "develop"}) {
    const auto group = document.find(section);
    if (group == document.end() || !group->is_object()) continue;
    for (const auto& [name, package] : group->items()) {
      std::string version;
      if (package.is_object()) {
        const auto found = package.find("version");
        if (found != package.end() && found->is_string()) version = found->get<std::string>();
      }
      if (version.starts_with("==")) version.erase(0, 2);
      packages.add(normalize_python_name(name), version);
    }
  }
  return packages.finish();
}

// ---- text lockfiles --------------------------------------------------------

// "lodash@^4.17.21", "@babel/core@npm:7.22.0" -> the name before the last '@'
// that is not the scope's leading '@'.
std::string_view name_before_version_at(std::string_view spec) {
  const auto at = spec.rfind('@');
  if (at == std::string_view::npos || at == 0) return spec;
  return spec.substr(0, at);
}

// yarn v1:                       yarn berry (v2+):
//   "lodash@^4.17.0", lodash@^4.17.21:   "lodash@npm:^4.17.21":
//     version "4.17.21"                   version: 4.17.21
PackageVersions parse_yarn_lock(std::string_view content) {
  VersionCollector packages;
  std::string name;
  for (const auto line : split_lines(content)) {
    if (line.empty() || line.front() == '#') continue;
    if (line.front() != ' ') {
      name.clear();
      if (!line.ends_with(':')) continue;
      auto first_spec = line.substr(0, line.size() - 1);
      first_spec = unquote(first_spec.substr(0, first_spec.find(',')));
      if (first_spec == "__metadata") continue;
      name = name_before_version_at(first_spec);
      continue;
    }
    // Only the entry's own fields (two spaces in), not its dependency lists.
    if (name.empty() || !line.starts_with("  ") || line.starts_with("   ")) continue;
    const auto field = trim(line);
    if (!field.starts_with("version")) continue;
    auto value = field.substr(std::string_view("version").size());
    if (value.starts_with(':')) value.remove_prefix(1);
    if (!value.empty() && value.front() != ' ') continue;  // "versionFoo"
    packages.add(name, unquote(value));
  }
  return packages.finish();
}

// pnpm-lock.yaml keys its top-level "packages:" map by
//   v5: "/lodash/4.17.21:"   v6: "/lodash@4.17.21:"   v9: "lodash@4.17.21:"
// with peer-dependency suffixes "(react@18.2.0)" (v6+) or "_react@18.2.0" (v5).
PackageVersions parse_pnpm_lock(std::string_view content) {
  VersionCollector packages;
  bool in_packages = false;
  for (const auto line : split_lines(content)) {
    if (line.empty()) continue;
    if (line.front() != ' ') {
      in_packages = trim(line) == "packages:";
      continue;
    }
    if (!in_packages || !line.starts_with("  ") || line[2] == ' ' || !line.ends_with(':')) {
      continue;
    }
    auto key = unquote(line.substr(2, line.size() - 3));
    key = key.substr(0, key.find('('));
    if (key.starts_with('/')) key.remove_prefix(1);
    const auto name = name_before_version_at(key);
    if (name.size() < key.size()) {
      packages.add(name, key.substr(name.size() + 1));
    } else if (const auto slash = key.rfind('/'); slash != std::string_view::npos) {
      auto version = key.substr(slash + 1);
      version = version.substr(0, version.find('_'));
      packages.add(key.substr(0, slash), version);
    }
  }
  return packages.finish();
}

// "name==1.0", "Name[extra] == 1.0 ; python_version < '3.8' --hash=sha256:..."
// Pinned versions are recorded without "=="; other specifiers as written.
PackageVersions parse_requirements(std::string_view content) {
  VersionCollector packages;
  for (auto line : split_lines(content)) {
    line = trim(line.substr(0, line.find(" #")));
    if (line.empty() || line.front() == '#' || line.front() == '-') continue;
    if (line.ends_with('\\')) line.remove_suffix(1);
    line = line.substr(0, line.find(';'));
    line = line.substr(0, line.find(" --"));
    std::string compact;
    for (const char c : line) {
      if (c != ' ' && c != '\t') compact += c;
    }
    std::size_t name_end = 0;
    while (name_end < compact.size() &&
           (std::isalnum(static_cast<unsigned char>(compact[name_end])) != 0 ||
            compact[name_end] == '-' || compact[name_end] == '_' || compact[name_end] == '.')) {
      ++name_end;
    }
    if (name_end == 0) continue;
    std::string_view rest = std::string_view(compact).substr(name_end);
    if (rest.starts_with('[')) rest = rest.substr(std::min(rest.size(), rest.find(']') + 1));
    if (rest.starts_with("===")) {
      rest.remove_prefix(3);
    } else if (rest.starts_with("==")) {
      rest.remove_prefix(2);
    }
    packages.add(normalize_python_name(compact.substr(0, name_end)), rest);
  }
  return packages.finish();
}

// poetry.lock and Cargo.lock: [[package]] tables with name = "..." and
// version = "..."; any other table header ends the package.
PackageVersions parse_toml_packages(std::string_view content, bool python_names) {
  VersionCollector packages;
  bool in_package = false;
  std::string name;
  std::string version;
  auto end_package = [&] {
    if (in_package) packages.add(python_names ? normalize_python_name(name) : name, version);
    in_package = false;
    name.clear();
    version.clear();
  };
  for (auto line : split_lines(content)) {
    line = trim(line);
    if (line.starts_with('[')) {
      end_package();
      in_package = line == "[[package]]";
      continue;
    }
    if (!in_package) continue;
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    const auto key = trim(line.substr(0, equals));
    if (key == "name") {
      name = unquote(line.substr(equals + 1));
    } else if (key == "version") {
      version = unquote(line.substr(equals + 1));
    }
  }
  end_package();
  return packages.finish();
}

// "module version h1:hash"; the "version/go.mod" lines only pin a module's
// go.mod for version selection, not code in the build.
PackageVersions parse_go_sum(std::string_view content) {
  VersionCollector modules;
  for (const auto line : split_lines(content)) {
    const auto text = trim(line);
    const auto space = text.find(' ');
    if (space == std::string_view::npos) continue;
    const auto module = text.substr(0, space);
    auto version = trim(text.substr(space + 1));
    version = version.substr(0, version.find(' '));
    if (version.empty() || version.ends_with("/go.mod")) continue;
    modules.add(module, version);
  }
  return modules.finish();
}

}  // namespace

InventoryFormat inventory_format(std::string_view path) {
  if (path == "/var/lib/dpkg/status") return InventoryFormat::kDpkgStatus;
  if (path.starts_with("/var/lib/dpkg/status.d/") &&
      path.find('/', std::string_view("/var/lib/dpkg/status.d/").size()) ==
          std::string_view::npos &&
      !path.ends_with(".md5sums")) {
    return InventoryFormat::kDpkgStatus;
  }
  if (path == "/lib/apk/db/installed" || path == "/usr/lib/apk/db/installed") {
    return InventoryFormat::kApkInstalled;
  }
  const auto name = basename_of(path);
  if (name == "package-lock.json" || name == "npm-shrinkwrap.json" ||
      name == ".package-lock.json") {
    return InventoryFormat::kNpmLock;
  }
  if (name == "yarn.lock") return InventoryFormat::kYarnLock;
  if (name == "pnpm-lock.yaml") return InventoryFormat::kPnpmLock;
  if (name == "requirements.txt" || (name.starts_with("requirements-") && name.ends_with(".txt"))) {
    return InventoryFormat::kRequirements;
  }
  if (name == "Pipfile.lock") return InventoryFormat::kPipfileLock;
  if (name == "poetry.lock") return InventoryFormat::kPoetryLock;
  if (name == "go.sum") return InventoryFormat::kGoSum;
  if (name == "Cargo.lock") return InventoryFormat::kCargoLock;
  return InventoryFormat::kNone;
}

bool is_package_database(std::string_view path) {
  return starts_with_any(
      path, {"/var/lib/dpkg/", "/lib/apk/db/", "/usr/lib/apk/db/", "/var/lib/apk/", "/var/lib/rpm/",
             "/usr/lib/sysimage/rpm/", "/var/lib/pacman/"});
}

bool is_lockfile(std::string_view path) {
  switch (inventory_format(path)) {
    case InventoryFormat::kNone:
    case InventoryFormat::kDpkgStatus:
    case InventoryFormat::kApkInstalled:
      return false;
    default:
      return true;
  }
}

std::string dpkg_info_package(std::string_view path) {
  static constexpr std::string_view kInfo = "/var/lib/dpkg/info/";
  if (!path.starts_with(kInfo)) return {};
  const auto file = path.substr(kInfo.size());
  const auto dot = file.rfind('.');
  if (file.find('/') != std::string_view::npos || dot == std::string_view::npos || dot == 0) {
    return {};
  }
  const auto package = file.substr(0, dot);
  return std::string(package.substr(0, package.find(':')));
}

std::optional<PackageVersions> parse_inventory(InventoryFormat format, std::string_view content) {
  switch (format) {
    case InventoryFormat::kDpkgStatus:
      return parse_dpkg_status(content);
    case InventoryFormat::kApkInstalled:
      return parse_apk_installed(content);
    case InventoryFormat::kNpmLock:
      return parse_npm_lock(content);
    case InventoryFormat::kYarnLock:
      return parse_yarn_lock(content);
    case InventoryFormat::kPnpmLock:
      return parse_pnpm_lock(content);
    case InventoryFormat::kRequirements:
      return parse_requirements(content);
    case InventoryFormat::kPipfileLock:
      return parse_pipfile_lock(content);
    case InventoryFormat::kPoetryLock:
      return parse_toml_packages(content, /*python_names=*/true);
    case InventoryFormat::kCargoLock:
      return parse_toml_packages(content, /*python_names=*/false);
    case InventoryFormat::kGoSum:
      return parse_go_sum(content);
    case InventoryFormat::kNone:
      break;
  }
  return std::nullopt;
}

std::string normalize_python_name(std::string_view name) {
  std::string normalized;
  bool in_separator_run = false;
  for (const char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_separator_run) normalized += '-';
      in_separator_run = true;
      continue;
    }
    in_separator_run = false;
    normalized += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return normalized;
}

}  // namespace zastava::facet
