#include "ussdgw/app/ops_endpoints.hpp"

#include "ussdgw/app/health.hpp"

namespace ussdgw::app {

void add_ops_endpoints(http_server& server, boost::asio::any_io_executor executor,
                       const metrics_sources& sources, actions::store_runner& runner,
                       std::chrono::milliseconds health_deadline) {
    server.add("GET", "/metrics",
               [sources](const http_request&, std::function<void(http_response)> respond) {
                   http_response r;
                   r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                   r.body = render_metrics(sources);
                   respond(std::move(r));
               });
    server.add("GET", "/healthz",
               [executor, gateway = sources.gateway, &runner, health_deadline](
                   const http_request&, std::function<void(http_response)> respond) {
                   check_health(executor, *gateway, runner, health_deadline,
                                [respond = std::move(respond)](bool healthy, std::string why) {
                                    respond(text_response(healthy ? 200 : 503, std::move(why)));
                                });
               });
}

}  // namespace ussdgw::app
