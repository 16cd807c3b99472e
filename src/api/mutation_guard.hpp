#pragma once
// The rule every mutating API call (provcache and ingestion) follows before
// it touches a store: an authenticated caller (mTLS client certificate or
// bearer token, see http::Identity) and a JSON body, or none.

#include <optional>

#include "http/message.hpp"

namespace zastava::api {

// Nullopt when the request may go on; else the answer that stops it: 401
// with `WWW-Authenticate: Bearer` for an anonymous caller, 415 for a body
// that is not application/json.
std::optional<http::Response> refuse_mutation(const http::Request& request);

}  // namespace zastava::api
