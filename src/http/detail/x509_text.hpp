#pragma once
// Text forms of certificate fields, shared by the server (client identities)
// and the client (which certificate the server presented).

#include <openssl/x509.h>

#include <string>

namespace zastava::http::detail {

// "CN=webhook,O=zastava" (RFC 2253); empty on failure.
std::string subject_text(const X509* certificate);
// The serial number in upper-case hex, e.g. "1A2B"; empty on failure.
std::string serial_text(const X509* certificate);

}  // namespace zastava::http::detail
