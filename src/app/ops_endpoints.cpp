#include "ussdgw/app/ops_endpoints.hpp"

#include <nlohmann/json.hpp>

#include "ussdgw/app/health.hpp"
#include "ussdgw/app/self_service.hpp"

namespace ussdgw::app {

http_response funnel_response(const menu::funnel& f) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& r : f.rows(std::chrono::steady_clock::now())) {
        nlohmann::ordered_json row{{"node", r.node}, {"event", menu::to_string(r.event)}};
        if (r.event == menu::node_event::chose) row["item"] = r.item;
        row["total"] = r.total;
        row["last_hour"] = r.hour;
        row["last_day"] = r.day;
        rows.push_back(std::move(row));
    }
    http_response out;
    out.content_type = "application/json";
    out.body = nlohmann::ordered_json{{"rows", std::move(rows)}, {"dropped", f.dropped()}}.dump();
    return out;
}

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
    if (sources.door) {
        server.add(
            "GET", "/menu/funnel",
            [door = sources.door](const http_request&, std::function<void(http_response)> respond) {
                respond(funnel_response(door->funnel()));
            });
    }
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
