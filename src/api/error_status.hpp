#pragma once
// Which HTTP answer a module error gets at the API boundary (after userver's
// handlers/exceptions.hpp): the code a client can act on, and a message that
// says what to fix without leaking internals.
//
//   kInvalidArgument, kParse (of a request), kVerification   400 with the message
//   kNotFound                                               404
//   kIo (a store server down, a query failed)               503 with the reason
//   kParse of STORED data                                   500, generic (logged)
//   kUnsupported                                            501
//   anything else                                           500, generic (logged)

#include "base/result.hpp"
#include "http/message.hpp"

namespace zastava::api {

// For an error in what the client sent.
http::Response request_error_response(const Error& error);
// For an error the store returned; `logged` receives the full error for 500s.
http::Response store_error_response(const Error& error, std::string* logged);

}  // namespace zastava::api
