#pragma once
// Turning PostgresOptions into what libpq needs, shared by the PostgreSQL
// stores (provcache, artifacts):
//   conninfo_with_timeouts  the URL or key=value conninfo with connect_timeout,
//                           the server-side statement_timeout, tcp_user_timeout,
//                           UTF8 and application_name appended (later settings
//                           win in libpq)
//   describe_server         "host:port" for logs and errors, never the
//                           password; libpq's defaults filled in. kInvalidArgument
//                           when libpq cannot parse the URL.

#include <string>

#include "base/result.hpp"
#include "store/postgres_store.hpp"

namespace zastava::store {

std::string conninfo_with_timeouts(const PostgresOptions& options);
Result<std::string> describe_server(const std::string& url);

}  // namespace zastava::store
