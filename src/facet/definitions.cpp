#include "facet/definitions.hpp"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "facet/names.hpp"
#include "support/config.hpp"

namespace zastava::facet {
namespace {

using Json = nlohmann::json;

// The facet sealing seed's section 6 (only re-indented): the defaults are
// whatever this text says, so it can be compared with the seed by eye.
// Quota fields it leaves out take FacetQuota's defaults, as in the seed.
constexpr std::string_view kDefaultFacetsYaml = R"yaml(
# Default facet configuration
facets:
  - facetId: os
    type: OS
    includeGlobs:
      - /var/lib/dpkg/**
      - /var/lib/rpm/**
      - /var/lib/pacman/**
      - /var/lib/apk/**
      - /var/cache/apt/**
      - /etc/apt/**
      - /etc/yum.repos.d/**
    excludeGlobs:
      - "**/*.log"
    quota:
      maxChurnPercent: 5.0
      maxChangedFiles: 100
      onExceed: Warn

  - facetId: lang/node
    type: LangNode
    includeGlobs:
      - "**/node_modules/**"
      - "**/package.json"
      - "**/package-lock.json"
      - "**/yarn.lock"
      - "**/pnpm-lock.yaml"
    quota:
      maxChurnPercent: 10.0
      maxChangedFiles: 500
      onExceed: RequireVex

  - facetId: lang/python
    type: LangPython
    includeGlobs:
      - "**/site-packages/**"
      - "**/dist-packages/**"
      - "**/requirements.txt"
      - "**/Pipfile.lock"
      - "**/poetry.lock"
    quota:
      maxChurnPercent: 10.0
      maxChangedFiles: 200
      onExceed: Warn

  - facetId: lang/go
    type: LangGo
    includeGlobs:
      - "**/go.mod"
      - "**/go.sum"
      - "**/vendor/**"
    quota:
      maxChurnPercent: 15.0
      maxChangedFiles: 100
      onExceed: Warn

  - facetId: binary
    type: Binary
    includeGlobs:
      - /usr/bin/*
      - /usr/sbin/*
      - /bin/*
      - /sbin/*
      - /usr/lib/**/*.so*
      - /lib/**/*.so*
      - /usr/local/bin/*
    excludeGlobs:
      - "**/*.py"
      - "**/*.sh"
    quota:
      maxChurnPercent: 2.0
      maxChangedFiles: 20
      onExceed: Block

  - facetId: config
    type: Config
    includeGlobs:
      - /etc/**
      - "**/*.conf"
      - "**/*.cfg"
      - "**/*.ini"
      - "**/*.yaml"
      - "**/*.yml"
      - "**/*.json"
    excludeGlobs:
      - /etc/passwd
      - /etc/shadow
      - /etc/group
      - "**/*.log"
    quota:
      maxChurnPercent: 20.0
      maxChangedFiles: 50
      onExceed: Warn
)yaml";

// Thrown inside this file only; turned into an Error at the boundary.
struct DefinitionError {
  std::string message;
};

[[noreturn]] void fail(const std::string& where, std::string_view problem) {
  throw DefinitionError{where + ": " + std::string(problem)};
}

void require_object(const Json& value, const std::string& where) {
  if (!value.is_object()) {
    fail(where, "must be a mapping, not " + std::string(value.type_name()));
  }
}

// Unknown fields are mistakes (a typo would silently fall back to a default).
void reject_unknown_fields(const Json& object, std::initializer_list<std::string_view> known,
                           const std::string& where) {
  for (const auto& [name, value] : object.items()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (const std::string_view field : known)
        list += (list.empty() ? "" : ", ") + std::string(field);
      fail(where, "unknown field \"" + name + "\" (known: " + list + ")");
    }
  }
}

std::string read_string(const Json& object, const char* name, const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end()) fail(where, std::string(name) + " is missing");
  if (!it->is_string()) {
    fail(where, std::string(name) + " must be a string, not " + std::string(it->type_name()));
  }
  return it->get<std::string>();
}

std::vector<Glob> read_globs(const Json& object, const char* name, bool required,
                             const std::string& where) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    if (required) fail(where, std::string(name) + " is missing");
    return {};
  }
  if (!it->is_array()) {
    fail(where, std::string(name) + " must be a list, not " + std::string(it->type_name()));
  }
  if (required && it->empty()) fail(where, std::string(name) + " is empty");
  std::vector<Glob> globs;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string field = std::string(name) + "[" + std::to_string(i) + "]";
    const Json& pattern = (*it)[i];
    if (!pattern.is_string()) {
      fail(where, field + " must be a string, not " + std::string(pattern.type_name()));
    }
    auto glob = Glob::compile(pattern.get<std::string>());
    if (!glob) fail(where, field + ": " + glob.error().message);
    globs.push_back(std::move(glob).value());
  }
  return globs;
}

double read_percent(const Json& value, const std::string& field, const std::string& where) {
  if (!value.is_number()) {
    fail(where, field + " must be a number, not " + std::string(value.type_name()));
  }
  const double percent = value.get<double>();
  if (!(percent >= 0.0 && percent <= 100.0)) {
    fail(where, field + " must be between 0 and 100, not " + value.dump());
  }
  return percent;
}

std::int64_t read_count(const Json& value, const std::string& field, const std::string& where) {
  if (value.is_number_unsigned()) {
    const auto count = value.get<std::uint64_t>();
    if (count > static_cast<std::uint64_t>(INT64_MAX)) fail(where, field + " is too large");
    return static_cast<std::int64_t>(count);
  }
  if (!value.is_number_integer()) {
    fail(where, field + " must be a whole number, not " + value.dump());
  }
  const auto count = value.get<std::int64_t>();
  if (count < 0) fail(where, field + " must be >= 0, not " + std::to_string(count));
  return count;
}

FacetQuota read_quota(const Json& object, const std::string& where) {
  FacetQuota quota;
  const auto it = object.find("quota");
  if (it == object.end() || it->is_null()) return quota;
  const Json& fields = *it;
  require_object(fields, where + ": quota");
  reject_unknown_fields(
      fields,
      {"maxChurnPercent", "maxChangedFiles", "maxAddedFiles", "maxRemovedFiles", "onExceed"},
      where + ": quota");
  for (const auto& [name, value] : fields.items()) {
    const std::string field = "quota." + name;
    if (name == "maxChurnPercent") {
      quota.max_churn_percent = read_percent(value, field, where);
    } else if (name == "maxChangedFiles") {
      quota.max_changed_files = read_count(value, field, where);
    } else if (name == "maxAddedFiles") {
      quota.max_added_files = read_count(value, field, where);
    } else if (name == "maxRemovedFiles") {
      quota.max_removed_files = read_count(value, field, where);
    } else {  // onExceed
      if (!value.is_string()) {
        fail(where, field + " must be a string, not " + std::string(value.type_name()));
      }
      auto action = parse_quota_action(value.get<std::string>());
      if (!action) fail(where, field + ": " + action.error().message);
      quota.on_exceed = *action;
    }
  }
  return quota;
}

FacetDefinition read_definition(const Json& entry, std::size_t index) {
  std::string where = "facets[" + std::to_string(index) + "]";
  require_object(entry, where);
  FacetDefinition definition;
  definition.id = read_string(entry, "facetId", where);
  where = "facet \"" + definition.id + "\" (" + where + ")";
  reject_unknown_fields(entry, {"facetId", "type", "includeGlobs", "excludeGlobs", "quota"}, where);

  auto family = facet_type_for_id(definition.id);
  if (!family) fail(where, "facetId: " + family.error().message);
  auto type = parse_facet_type(read_string(entry, "type", where));
  if (!type) fail(where, "type: " + type.error().message);
  if (*type != *family) {
    fail(where, "type " + std::string(facet_type_name(*type)) + " does not match the id; \"" +
                    definition.id + "\" must have type " + std::string(facet_type_name(*family)));
  }
  definition.type = *type;
  definition.include = read_globs(entry, "includeGlobs", true, where);
  definition.exclude = read_globs(entry, "excludeGlobs", false, where);
  definition.quota = read_quota(entry, where);
  return definition;
}

std::vector<FacetDefinition> read_definitions(const Json& document) {
  require_object(document, "facet definitions");
  reject_unknown_fields(document, {"facets"}, "facet definitions");
  const auto facets = document.find("facets");
  if (facets == document.end()) fail("facet definitions", "facets is missing");
  if (!facets->is_array()) {
    fail("facet definitions", "facets must be a list, not " + std::string(facets->type_name()));
  }
  if (facets->empty()) fail("facet definitions", "facets is empty");
  std::vector<FacetDefinition> definitions;
  for (std::size_t i = 0; i < facets->size(); ++i) {
    FacetDefinition definition = read_definition((*facets)[i], i);
    for (const FacetDefinition& earlier : definitions) {
      if (earlier.id == definition.id) {
        fail("facets[" + std::to_string(i) + "]", "duplicate facetId \"" + definition.id + "\"");
      }
    }
    definitions.push_back(std::move(definition));
  }
  return definitions;
}

Result<std::vector<FacetDefinition>> definitions_from_json(const Json& document) {
  try {
    return read_definitions(document);
  } catch (const DefinitionError& e) {
    return make_error(ErrorCode::kInvalidArgument, e.message);
  }
}

}  // namespace

bool FacetDefinition::includes(std::string_view path) const {
  const auto matches = [path](const Glob& glob) { return glob.matches(path); };
  return std::any_of(include.begin(), include.end(), matches) &&
         std::none_of(exclude.begin(), exclude.end(), matches);
}

FacetSet FacetSet::defaults() {
  auto set = from_yaml(kDefaultFacetsYaml);
  // The text is a constant of this file: failing to read it is a bug here.
  if (!set) throw std::logic_error("built-in facet definitions: " + set.error().describe());
  return std::move(set).value();
}

Result<FacetSet> FacetSet::from_yaml(std::string_view text) {
  auto document = support::parse_yaml(text);
  if (!document) return document.error().with_context("facet definitions");
  auto definitions = definitions_from_json(*document);
  if (!definitions) return definitions.error();
  return FacetSet(std::move(definitions).value());
}

Result<FacetSet> FacetSet::load(const std::filesystem::path& path) {
  auto document = support::load_config_file(path);
  if (!document) return document.error();
  auto definitions = definitions_from_json(*document);
  if (!definitions) return definitions.error().with_context(path.string());
  return FacetSet(std::move(definitions).value());
}

const FacetDefinition* FacetSet::classify(std::string_view path) const {
  for (const FacetDefinition& definition : defs_) {
    if (definition.includes(path)) return &definition;
  }
  return nullptr;
}

const FacetDefinition* FacetSet::find(std::string_view id) const {
  for (const FacetDefinition& definition : defs_) {
    if (definition.id == id) return &definition;
  }
  return nullptr;
}

}  // namespace zastava::facet
