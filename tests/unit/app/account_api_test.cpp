// app/account_api against a scripted runner: the token gate (503, 401), the
// body checks (400), the limits (429 with Retry-After), the request each
// endpoint runs (channel web), how outcomes become answers, and the outbox
// kick after an action committed SMS.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "ussdgw/app/account_api.hpp"

using namespace ussdgw;
using namespace ussdgw::app;
using json = nlohmann::json;

namespace {

const std::string token = "0123456789abcdef0123456789abcdef";

// Answers every request with `next`, at once, and remembers the requests.
struct scripted_runner : actions::runner {
    std::vector<actions::request> seen;
    actions::outcome next;
    void run(actions::request r, std::function<void(actions::outcome)> done) override {
        seen.push_back(std::move(r));
        done(next);
    }
};

struct api_fixture {
    boost::asio::io_context io;
    std::shared_ptr<scripted_runner> runner = std::make_shared<scripted_runner>();
    int kicks = 0;
    http_router router;
    std::unique_ptr<account_api> api;

    explicit api_fixture(account_api_options o = with_token()) {
        api = std::make_unique<account_api>(io.get_executor(), runner, std::move(o),
                                            [this] { ++kicks; });
        api->add_routes(router);
    }
    static account_api_options with_token() {
        account_api_options o;
        o.token = token;
        return o;
    }
    // One request through the router; the answer once the loop ran dry.
    http_response call(const std::string& path, const std::string& body,
                       const std::string& auth = "Bearer " + token,
                       const std::string& client = "192.0.2.1") {
        http_request req;
        req.method = "POST";
        req.target = path;
        req.body = body;
        req.client = client;
        if (!auth.empty()) req.headers["authorization"] = auth;
        std::optional<http_response> got;
        router.dispatch(req, [&](http_response r) { got = std::move(r); });
        io.restart();
        io.run();
        REQUIRE(got);
        return *got;
    }
};

const std::string login_body = R"({"msisdn": "89160000001", "password": "Hello123"})";

actions::outcome refusal(const std::string& error, const std::string& reason) {
    actions::outcome o;
    o.ok = false;
    o.error = error;
    o.vars["reason"] = reason;
    return o;
}

}  // namespace

TEST_CASE("account api: no token configured answers 503 and runs nothing") {
    api_fixture f(account_api_options{});
    auto r = f.call("/api/v1/login", login_body);
    CHECK(r.status == 503);
    CHECK(r.content_type == "application/json");
    CHECK(json::parse(r.body) == json{{"error", "API disabled: no token configured"}});
    CHECK(f.runner->seen.empty());
}

TEST_CASE("account api: a missing or wrong bearer token is 401") {
    api_fixture f;
    for (const std::string& auth :
         std::vector<std::string>{"", "Bearer wrong", "Basic " + token, "Bearer " + token + "x",
                                  "Bearer", "Bearer " + token.substr(0, 16)}) {
        auto r = f.call("/api/v1/login", login_body, auth);
        CHECK(r.status == 401);
        CHECK(r.headers["WWW-Authenticate"] == "Bearer realm=\"ussdgw\"");
        CHECK(json::parse(r.body).at("error").get<std::string>().find("bearer token") !=
              std::string::npos);
    }
    CHECK(f.runner->seen.empty());
    // The scheme is case-insensitive; blanks around the token do not matter.
    CHECK(f.call("/api/v1/login", login_body, "bearer  " + token + " ").status == 200);
}

TEST_CASE("account api: a login runs password_check through the web channel") {
    api_fixture f;
    auto r = f.call("/api/v1/login", login_body);
    CHECK(r.status == 200);
    CHECK(json::parse(r.body) == json{{"result", "accepted"}});
    REQUIRE(f.runner->seen.size() == 1);
    const auto& req = f.runner->seen[0];
    CHECK(req.msisdn == "79160000001");
    CHECK(req.via == actions::channel::web);
    CHECK(std::string(actions::to_string(req.via)) == "web");
    CHECK(req.action == "password_check");
    CHECK(req.arguments == actions::args{{"password", "Hello123"}});
    CHECK(f.kicks == 0);  // no SMS committed
}

TEST_CASE("account api: each login refusal has its reason and sentence") {
    const std::map<std::string, std::string> reasons = {
        {"wrong_password", "wrong"},     {"password_locked", "locked"},
        {"password_expired", "expired"}, {"password_used", "used"},
        {"no_password", "no_password"},  {"unknown_subscriber", "unknown_subscriber"}};
    for (const auto& [error, reason] : reasons) {
        api_fixture f;
        f.runner->next = refusal(error, "Because.");
        auto r = f.call("/api/v1/login", login_body);
        CHECK(r.status == 200);
        CHECK(json::parse(r.body) ==
              json{{"result", "refused"}, {"reason", reason}, {"message", "Because."}});
    }
}

TEST_CASE("account api: busy and store failures are 503 and anything else 500") {
    api_fixture f;
    f.runner->next = refusal("busy", "Too many requests at once. Please try again in a minute.");
    auto r = f.call("/api/v1/password", R"({"msisdn": "79160000001"})");
    CHECK(r.status == 503);
    CHECK(r.headers["Retry-After"] == "60");
    CHECK(json::parse(r.body) ==
          json{{"error", "Too many requests at once. Please try again in a minute."}});
    f.runner->next = refusal("storage_error", "x");
    r = f.call("/api/v1/login", R"({"msisdn": "79160000002", "password": "x"})");
    CHECK(r.status == 503);
    CHECK(json::parse(r.body).at("error").get<std::string>().find("store failed") !=
          std::string::npos);
    f.runner->next = refusal("bad_argument", "x");
    r = f.call("/api/v1/login", R"({"msisdn": "79160000003", "password": "x"})");
    CHECK(r.status == 500);
    CHECK(json::parse(r.body) == json{{"error", "internal error"}});
}

TEST_CASE("account api: a password request runs password_issue and kicks the outbox") {
    api_fixture f;
    f.runner->next.sms.push_back({"3339", "79160000001", "Your password: ..."});
    auto r = f.call("/api/v1/password", R"({"msisdn": "+79160000001"})");
    CHECK(r.status == 200);
    CHECK(json::parse(r.body) == json{{"result", "sent"}});
    REQUIRE(f.runner->seen.size() == 1);
    CHECK(f.runner->seen[0].action == "password_issue");
    CHECK(f.runner->seen[0].via == actions::channel::web);
    CHECK(f.runner->seen[0].arguments.empty());
    CHECK(f.kicks == 1);
    // A refused login with a login alert committed kicks it too.
    f.runner->next = refusal("wrong_password", "Wrong password.");
    f.runner->next.sms.push_back({"3339", "79160000001", "Login to your account refused"});
    f.call("/api/v1/login", login_body);
    CHECK(f.kicks == 2);
    f.runner->next = refusal("unknown_subscriber", "Unknown.");
    r = f.call("/api/v1/password", R"({"msisdn": "79169999999"})");
    CHECK(json::parse(r.body).at("reason") == "unknown_subscriber");
    CHECK(f.kicks == 2);
}

TEST_CASE("account api: a bad body is 400 with a JSON error and runs nothing") {
    api_fixture f;
    auto r = f.call("/api/v1/login", R"({"msisdn": "79160000001", "password": "x")");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body).at("error").get<std::string>().find("malformed JSON") == 0);
    r = f.call("/api/v1/password", R"({"msisdn": "123"})");
    CHECK(r.status == 400);
    CHECK(json::parse(r.body).at("error").get<std::string>().find("field 'msisdn'") == 0);
    r = f.call("/api/v1/password", R"({"number": "79160000001"})");
    CHECK(r.status == 400);
    CHECK(f.runner->seen.empty());
}

TEST_CASE("account api: per-number and per-client limits answer 429 with Retry-After") {
    account_api_options o = api_fixture::with_token();
    o.rate_per_number = 2;
    o.rate_per_client = 4;
    api_fixture f(o);
    // Both endpoints count against the number, whichever form it is typed in.
    CHECK(f.call("/api/v1/login", login_body).status == 200);
    CHECK(f.call("/api/v1/password", R"({"msisdn": "9160000001"})").status == 200);
    auto r = f.call("/api/v1/login", login_body);
    CHECK(r.status == 429);
    CHECK(std::stoi(r.headers.at("Retry-After")) >= 1);
    CHECK(json::parse(r.body).at("error").get<std::string>().find("this number") !=
          std::string::npos);
    CHECK(f.runner->seen.size() == 2);
    // The client has used 3 of 4; another number passes once, then the client is over.
    CHECK(f.call("/api/v1/password", R"({"msisdn": "79160000002"})").status == 200);
    r = f.call("/api/v1/password", R"({"msisdn": "79160000003"})");
    CHECK(r.status == 429);
    CHECK(json::parse(r.body).at("error").get<std::string>().find("this client") !=
          std::string::npos);
    // Wrong tokens count too (guessing is limited), other clients are not affected.
    CHECK(f.call("/api/v1/login", login_body, "Bearer nope").status == 429);
    CHECK(f.call("/api/v1/password", R"({"msisdn": "79160000003"})", "Bearer " + token, "192.0.2.2")
              .status == 200);
}
