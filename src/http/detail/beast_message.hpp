#pragma once
// Conversions between Boost.Beast messages and the Boost-free http::Request
// and http::Response handlers see (internal to the server).

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "base/result.hpp"
#include "http/message.hpp"

namespace zastava::http::detail {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Moves the body out. kParse when the target is not origin form or badly escaped.
Result<Request> from_beast(BeastRequest& request);

// A status outside 100..599 becomes 500 (a handler bug, not a crash).
BeastResponse to_beast(Response response, unsigned version, bool keep_alive);

}  // namespace zastava::http::detail
