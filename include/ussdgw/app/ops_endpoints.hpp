#pragma once
// The operator's endpoints on the HTTP listener: GET /metrics (Prometheus
// text format), GET /healthz (200 "ok" or 503 with the reason, one line) and
// GET /menu/funnel (JSON: per menu node, what dialogs did there, over all
// time, the last hour and the last day). None takes a token: they say
// nothing about subscribers, and a
// monitoring system scrapes them from where the listener is reachable
// (keep [http] listen on loopback or behind a firewall).

#include <chrono>

#include "ussdgw/app/http_server.hpp"
#include "ussdgw/app/metrics.hpp"
#include "ussdgw/menu/funnel.hpp"

namespace ussdgw::app {

/// The /menu/funnel page: {"rows": [{"node", "event", "item" (chose only),
/// "total", "last_hour", "last_day"}, ...], "dropped": N}.
http_response funnel_response(const menu::funnel& f);

/// Registers /metrics, /healthz and (with a door) /menu/funnel on `server`; `sources` and
/// everything it points to must outlive the server. /healthz answers 503 when the store takes no
/// write within `health_deadline`.
void add_ops_endpoints(http_server& server, boost::asio::any_io_executor executor,
                       const metrics_sources& sources, actions::store_runner& runner,
                       std::chrono::milliseconds health_deadline = std::chrono::seconds(2));

}  // namespace ussdgw::app
