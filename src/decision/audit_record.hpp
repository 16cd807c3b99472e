#pragma once
// The structured audit record of one admission decision, one JSON object
// (written directly, with admission/json_writer.hpp escaping):
//
//   {"uid":"..","operation":"CREATE","kind":"Pod","namespace":"shop","name":"web",
//    "dryRun":false,"user":{"username":"..","uid":"..","groups":[..]},
//    "policy":{"name":"..","version":"..","contentHash":"sha256:.."},
//    "verdict":"allow"|"deny","reason":"..",
//    "images":[{"container":"api","image":"..","normalized":"..","scope":"..",
//               "mode":"Enforce","decision":"allow"|"warn"|"deny","veriKey":"..",
//               "provcache":"hit","provcacheVerdict":"allow","trustScore":85,
//               "sealIds":[..],"violations":[".."],"notes":[".."]}],
//    "warnings":[..]}
//
// trustScore is null when unknown. `reason` says why no image was checked
// (a request that is not handled), else it is "".

#include <string>
#include <string_view>

#include "admission/admission_request.hpp"
#include "decision/outcome.hpp"
#include "policy/policy_document.hpp"

namespace zastava::decision {

std::string audit_record_json(const admission::AdmissionRequest& request,
                              const policy::CompiledPolicy& policy, const AdmissionOutcome& outcome,
                              std::string_view reason);

}  // namespace zastava::decision
