#pragma once
// Facet definitions: which files of an image belong to which facet. The
// seed's default set (section 6) is built in; a YAML file replaces it.
//
// Membership: a file belongs to AT MOST ONE facet, the first definition in
// order whose include globs match it and whose exclude globs do not. So with
// the defaults, /etc/apt/sources.list is `os` (not also `config`), and
// node_modules/x/package.json is `lang/node` (not also `config`): one change
// is counted once, in the facet an admin would look for it. Selecting facets
// (`stella seal --facet os`) filters after classification, so a facet's
// manifest is the same whether it is sealed alone or with the others.

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "facet/glob.hpp"
#include "facet/model.hpp"

namespace zastava::facet {

struct FacetDefinition {
  std::string id;  // "os", "lang/node", ..., "custom/<name>"
  FacetType type = FacetType::kCustom;
  std::vector<Glob> include;
  std::vector<Glob> exclude;
  FacetQuota quota;

  [[nodiscard]] bool includes(std::string_view path) const;  // include and not exclude
};

class FacetSet {
 public:
  // The seed's section 6 defaults, in its order.
  static FacetSet defaults();

  // YAML: {facets: [{facetId, type, includeGlobs, excludeGlobs, quota: {...}}]}
  // in the seed's spelling. Errors name the facet and the field. Ids must be
  // unique; type must match the id family (os -> OS, lang/node -> LangNode,
  // custom/<name> -> Custom ...; names.hpp facet_type_for_id).
  // Strict: unknown fields are rejected (a typo must not fall back to a
  // default); includeGlobs is required and non-empty; excludeGlobs and quota
  // may be left out (or null); quota fields left out take FacetQuota's
  // defaults; maxChurnPercent is in [0, 100], the counts are whole numbers
  // >= 0; at least one facet. kParse for YAML syntax, kInvalidArgument else.
  static Result<FacetSet> from_yaml(std::string_view text);
  static Result<FacetSet> load(const std::filesystem::path& path);

  // The first definition that includes `path`, or nullptr.
  [[nodiscard]] const FacetDefinition* classify(std::string_view path) const;
  [[nodiscard]] const FacetDefinition* find(std::string_view id) const;
  [[nodiscard]] const std::vector<FacetDefinition>& definitions() const noexcept { return defs_; }

 private:
  explicit FacetSet(std::vector<FacetDefinition> defs) : defs_(std::move(defs)) {}
  std::vector<FacetDefinition> defs_;
};

}  // namespace zastava::facet
