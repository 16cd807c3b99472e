#pragma once
// Quotas on drift (seed 3.4, 4.5): violations and the action to take.

#include <optional>
#include <span>
#include <string_view>

#include "facet/model.hpp"

namespace zastava::facet {

// Checks MaxChurnPercent, MaxChangedFiles (= total_changes), MaxAddedFiles
// and MaxRemovedFiles; a value above its limit is a violation with a one-line
// message naming the facet. recommended_action is quota.on_exceed when any
// violation, else kWarn with passed = true.
QuotaVerdict evaluate_quota(std::string_view facet_id, const DriftScore& score,
                            const FacetQuota& quota);

// The strictest action among the verdicts that did not pass (Block >
// RequireVex > Warn), or nullopt when all passed.
std::optional<QuotaAction> strictest_action(std::span<const QuotaVerdict> verdicts);

}  // namespace zastava::facet
