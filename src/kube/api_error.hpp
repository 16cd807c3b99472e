#pragma once
// Errors as the API server reports them: a non-2xx reply carries a Status
// object ({"kind":"Status","code":409,"reason":"AlreadyExists","message":...}),
// and a watch stream can end with an ERROR event holding one. The client turns
// it into an Error whose message keeps the code and reason in a fixed marker,
// "[k8s 409 AlreadyExists] configmaps \"x\" already exists", so callers can
// branch on them (api_status_of, is_conflict, ...) after any with_context().
//
// Error codes: 404 → kNotFound, 401/403 → kVerification, 429 and 5xx → kIo,
// other 4xx (400, 409, 410, 415, 422) → kInvalidArgument.

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace zastava::kube {

struct ApiStatus {
  unsigned code = 0;   // the HTTP status
  std::string reason;  // NotFound, AlreadyExists, Conflict, Expired, Gone, Unauthorized, ...
  std::string message;
};

// From a reply's status and body (a Status object, or anything else).
ApiStatus api_status_from_reply(unsigned http_status, std::string_view body);
// The Error for a failed call; `what` says which ("PUT /api/v1/...").
Error api_error(const ApiStatus& status, std::string_view what);

// The code and reason back out of an Error made by api_error (nullopt for others).
std::optional<ApiStatus> api_status_of(const Error& error);

bool is_not_found(const Error& error);
bool is_already_exists(const Error& error);
bool is_conflict(const Error& error);  // 409 Conflict (a stale resourceVersion)
bool is_gone(const Error& error);      // 410: resourceVersion or continue token expired
bool is_unauthorized(const Error& error);

}  // namespace zastava::kube
