#include "ussdgw/app/account_api.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <fstream>
#include <map>
#include <stdexcept>
#include <nlohmann/json.hpp>

#include "ussdgw/app/api_request.hpp"
#include "ussdgw/util/first_line.hpp"

namespace ussdgw::app {

namespace asio = boost::asio;
// Ordered: "result" first, as docs/api.md shows it.
using json = nlohmann::ordered_json;

namespace {

constexpr const char* json_type = "application/json";

http_response json_response(int status, const json& body) {
    http_response r;
    r.status = status;
    r.content_type = json_type;
    r.body = body.dump() + "\n";
    return r;
}

http_response json_error(int status, const std::string& message) {
    return json_response(status, json{{"error", message}});
}

// password_check's refusals as the API names them (docs/api.md).
const std::map<std::string, std::string>& login_reasons() {
    static const std::map<std::string, std::string> reasons = {
        {"wrong_password", "wrong"},     {"password_locked", "locked"},
        {"password_expired", "expired"}, {"password_used", "used"},
        {"no_password", "no_password"},  {"unknown_subscriber", "unknown_subscriber"},
    };
    return reasons;
}

std::string var(const actions::outcome& o, const char* name) {
    auto it = o.vars.find(name);
    return it == o.vars.end() ? std::string() : it->second;
}

// An outcome that is neither the action's verdict nor a refusal the API
// names: the queue was full, the store failed, or a bug. Nothing was applied.
http_response failure(const actions::outcome& o, const std::string& what,
                      const std::string& msisdn) {
    if (o.error == "busy") {
        spdlog::warn("[msisdn={}] web {}: busy (the password hashing queue is full)", msisdn, what);
        auto r = json_error(503, var(o, "reason"));
        r.headers["Retry-After"] = "60";
        return r;
    }
    if (o.error == "storage_error") {
        spdlog::error("[msisdn={}] web {}: the store failed; nothing applied", msisdn, what);
        auto r = json_error(503, "the account store failed; nothing was changed; try again later");
        r.headers["Retry-After"] = "60";
        return r;
    }
    spdlog::error("[msisdn={}] web {}: unexpected outcome {}", msisdn, what, o.error);
    return json_error(500, "internal error");
}

http_response refused(const std::string& reason, const actions::outcome& o) {
    return json_response(
        200, json{{"result", "refused"}, {"reason", reason}, {"message", var(o, "reason")}});
}

// The same work whatever the lengths, so the time of a refusal tells
// nothing about how much of the token was right.
bool same_secret(const std::string& a, const std::string& b) {
    unsigned char ha[crypto_generichash_BYTES], hb[crypto_generichash_BYTES];
    crypto_generichash(ha, sizeof ha, reinterpret_cast<const unsigned char*>(a.data()), a.size(),
                       nullptr, 0);
    crypto_generichash(hb, sizeof hb, reinterpret_cast<const unsigned char*>(b.data()), b.size(),
                       nullptr, 0);
    return sodium_memcmp(ha, hb, sizeof ha) == 0;
}

// The token of "Authorization: Bearer <token>", or empty.
std::string bearer(const http_request& req) {
    auto it = req.headers.find("authorization");
    if (it == req.headers.end()) return {};
    const std::string& v = it->second;
    if (v.size() < 7) return {};
    std::string scheme = v.substr(0, 7);
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "bearer ") return {};
    auto b = v.find_first_not_of(' ', 7);
    auto e = v.find_last_not_of(' ');
    return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
}

std::string retry_after(std::chrono::seconds s) {
    return std::to_string(s.count());
}

}  // namespace

account_api::account_api(asio::any_io_executor executor, std::shared_ptr<actions::runner> runner,
                         account_api_options options, std::function<void()> sms_committed)
    : executor_(std::move(executor)),
      runner_(std::move(runner)),
      options_(std::move(options)),
      sms_committed_(std::move(sms_committed)),
      per_number_(options_.rate_per_number),
      per_client_(options_.rate_per_client) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

account_api::~account_api() {
    *alive_ = false;
    if (!options_.token.empty()) sodium_memzero(options_.token.data(), options_.token.size());
}

std::optional<http_response> account_api::admit(const http_request& req) {
    if (options_.token.empty()) return json_error(503, "API disabled: no token configured");
    // Counted before the token is checked, so guessing tokens is limited too.
    if (auto wait = per_client_.take(req.client, rate_limiter::clock::now())) {
        spdlog::debug("http api: {} over {} requests per minute; 429", req.client,
                      options_.rate_per_client);
        auto r = json_error(
            429, "too many requests from this client; retry after " + retry_after(*wait) + " s");
        r.headers["Retry-After"] = retry_after(*wait);
        return r;
    }
    if (!same_secret(bearer(req), options_.token)) {
        spdlog::info("http api: 401 for {}: missing or wrong bearer token", req.client);
        auto r = json_error(401, "missing or wrong bearer token (Authorization: Bearer <token>)");
        r.headers["WWW-Authenticate"] = "Bearer realm=\"ussdgw\"";
        return r;
    }
    return std::nullopt;
}

std::optional<http_response> account_api::limit_number(const http_request& req,
                                                       const std::string& msisdn) {
    auto wait = per_number_.take(msisdn, rate_limiter::clock::now());
    if (!wait) return std::nullopt;
    spdlog::debug("[msisdn={}] web: over {} requests per minute (client {}); 429", msisdn,
                  options_.rate_per_number, req.client);
    auto r = json_error(
        429, "too many requests for this number; retry after " + retry_after(*wait) + " s");
    r.headers["Retry-After"] = retry_after(*wait);
    return r;
}

void account_api::login(const http_request& req, respond_fn respond) {
    if (auto refusal = admit(req)) return respond(std::move(*refusal));
    auto body = parse_login_request(req.body);
    if (!body) {
        spdlog::info("http api: login from {}: 400: {}", req.client, body.error());
        return respond(json_error(400, body.error()));
    }
    if (auto refusal = limit_number(req, body->msisdn)) return respond(std::move(*refusal));
    actions::request r;
    r.msisdn = body->msisdn;
    r.via = actions::channel::web;
    r.action = "password_check";
    r.arguments["password"] = std::move(body->password);
    run(std::move(r),
        [respond, msisdn = body->msisdn, client = req.client](const actions::outcome& o) {
            if (o.ok) {
                spdlog::info("[msisdn={}] web login accepted (client {})", msisdn, client);
                return respond(json_response(200, json{{"result", "accepted"}}));
            }
            auto reason = login_reasons().find(o.error);
            if (reason == login_reasons().end()) return respond(failure(o, "login", msisdn));
            spdlog::info("[msisdn={}] web login refused: {} (client {})", msisdn, reason->second,
                         client);
            respond(refused(reason->second, o));
        });
}

void account_api::password(const http_request& req, respond_fn respond) {
    if (auto refusal = admit(req)) return respond(std::move(*refusal));
    auto body = parse_password_request(req.body);
    if (!body) {
        spdlog::info("http api: password from {}: 400: {}", req.client, body.error());
        return respond(json_error(400, body.error()));
    }
    if (auto refusal = limit_number(req, body->msisdn)) return respond(std::move(*refusal));
    actions::request r;
    r.msisdn = body->msisdn;
    r.via = actions::channel::web;
    r.action = "password_issue";
    run(std::move(r),
        [respond, msisdn = body->msisdn, client = req.client](const actions::outcome& o) {
            if (o.ok) {
                spdlog::info("[msisdn={}] web password issued: sent by SMS (client {})", msisdn,
                             client);
                return respond(json_response(200, json{{"result", "sent"}}));
            }
            if (o.error == "unknown_subscriber") {
                spdlog::info("[msisdn={}] web password refused: unknown_subscriber (client {})",
                             msisdn, client);
                return respond(refused("unknown_subscriber", o));
            }
            respond(failure(o, "password", msisdn));
        });
}

void account_api::run(actions::request r, std::function<void(const actions::outcome&)> then) {
    // The runner answers on its own thread, after the commit; hop back to
    // the event loop. `alive` guards against an API destroyed meanwhile.
    runner_->run(std::move(r), [ex = executor_, alive = alive_, this,
                                then = std::move(then)](actions::outcome o) mutable {
        asio::post(ex, [alive, this, then = std::move(then), o = std::move(o)] {
            if (!*alive) return;
            then(o);
            // Login alerts ride on refusals too: whatever was committed goes out now.
            if (!o.sms.empty() && sms_committed_) sms_committed_();
        });
    });
}

util::result<std::string, std::string> read_api_token(const std::string& path) {
    auto read = util::first_line_of_file(path);
    if (!read) return util::fail("token file " + path + ": " + read.error());
    const std::string& line = *read;
    // Long enough that guessing it within the per-client limit is hopeless.
    if (line.size() < 16)
        return util::fail("token file " + path +
                          ": the token (its first line) must be at least 16 characters");
    return line;
}

}  // namespace ussdgw::app
