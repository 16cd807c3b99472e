#pragma once
// GET /metrics: the registry in the Prometheus text format (version 0.0.4).
// Mount it on the plain-HTTP metrics listener:
//   router.add("GET", "/metrics", http::metrics_handler(registry));
// The registry must outlive the handler.

#include "http/message.hpp"

namespace zastava::metrics {
class Registry;
}

namespace zastava::http {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

Handler metrics_handler(const metrics::Registry& registry);

}  // namespace zastava::http
