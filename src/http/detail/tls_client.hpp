#pragma once
// Client-side TLS set-up shared by every outbound HTTPS connection Zastava
// makes (http::Client and the Kubernetes API transport). Internal: includes
// Boost.Asio SSL, so only .cpp files include it.
//
// Each caller still decides what to trust (a CA file, an in-memory PEM, the
// system store) and whether to present a client certificate; this part is
// the common floor: TLS 1.2 or newer, and the server name both sent (SNI) and
// required in the server's certificate.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

namespace zastava::http::detail {

// A new TLS client context that refuses anything older than TLS 1.2. It
// trusts nothing and verifies nothing yet: the caller adds both.
std::shared_ptr<boost::asio::ssl::context> make_tls_client_context();

// Before the handshake on ssl: for a DNS name, sends it as SNI and requires
// it in the certificate; for an IP address (no SNI allowed), requires that
// address in the certificate's IP SANs.
void expect_server_name(SSL* ssl, const std::string& host);

}  // namespace zastava::http::detail
