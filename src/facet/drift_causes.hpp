#pragma once
// Why a file drifted: the cause and a readable detail of one DriftEntry,
// following the precedence documented in drift.hpp.

#include <string_view>

#include "facet/drift.hpp"
#include "facet/model.hpp"

namespace zastava::facet {

struct CauseContext {
  FacetType facet_type = FacetType::kCustom;
  const Inventory* baseline = nullptr;  // may be null: causes fall back
  const Inventory* current = nullptr;
};

// Sets entry.cause and entry.detail. `before` is null for an added file,
// `after` null for a removed one.
void attribute_cause(DriftEntry& entry, const FileEntry* before, const FileEntry* after,
                     const CauseContext& context);

}  // namespace zastava::facet
