#include "http/metrics_handler.hpp"

#include "metrics/registry.hpp"

namespace zastava::http {

Handler metrics_handler(const metrics::Registry& registry) {
  return [&registry](const Request&) {
    Response response;
    response.content_type = kPrometheusContentType;
    response.body = registry.render();
    return response;
  };
}

}  // namespace zastava::http
