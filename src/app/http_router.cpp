#include "ussdgw/app/http_router.hpp"

namespace ussdgw::app {

http_response text_response(int status, std::string line) {
    http_response r;
    r.status = status;
    r.body = std::move(line) + "\n";
    return r;
}

std::string target_path(const std::string& target) {
    return target.substr(0, target.find_first_of("?#"));
}

void http_router::add(std::string method, std::string path, http_handler h) {
    routes_[std::move(path)][std::move(method)] = std::move(h);
}

void http_router::dispatch(const http_request& req,
                           std::function<void(http_response)> respond) const {
    auto path = routes_.find(target_path(req.target));
    if (path == routes_.end()) return respond(text_response(404, "not found"));
    auto h = path->second.find(req.method);
    if (h == path->second.end()) {
        std::string allow;
        for (const auto& [method, handler] : path->second)
            allow += (allow.empty() ? "" : ", ") + method;
        auto r = text_response(405, "method not allowed (allowed: " + allow + ")");
        r.headers["Allow"] = allow;
        return respond(std::move(r));
    }
    // Copied: a handler added while this one runs must not pull it from under us.
    http_handler handler = h->second;
    handler(req, std::move(respond));
}

}  // namespace ussdgw::app
