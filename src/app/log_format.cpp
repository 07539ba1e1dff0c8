#include "ussdgw/app/log_format.hpp"

#include <spdlog/details/fmt_helper.h>
#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

namespace ussdgw::app {

std::optional<log_format> parse_log_format(std::string_view name) {
    if (name == "text") return log_format::text;
    if (name == "json") return log_format::json;
    return std::nullopt;
}

log_fields split_log_message(std::string_view message) {
    log_fields out;
    out.message = std::string(message);
    if (!message.starts_with('[')) return out;
    const auto close = message.find("] ");
    if (close == std::string_view::npos) return out;
    std::map<std::string, std::string> fields;
    std::string_view inside = message.substr(1, close - 1);
    bool first = true;
    while (!inside.empty()) {
        const auto space = inside.find(' ');
        const auto token = inside.substr(0, space);
        inside = space == std::string_view::npos ? std::string_view{} : inside.substr(space + 1);
        if (token.empty()) return out;
        const auto eq = token.find('=');
        if (eq == std::string_view::npos) {
            // Only the first token may be bare: the bind's name.
            if (!first) return out;
            fields["bind"] = std::string(token);
        } else {
            if (eq == 0) return out;
            fields[std::string(token.substr(0, eq))] = std::string(token.substr(eq + 1));
        }
        first = false;
    }
    out.fields = std::move(fields);
    out.message = std::string(message.substr(close + 2));
    return out;
}

std::string json_log_line(std::string_view time, std::string_view level, std::string_view message) {
    auto parts = split_log_message(message);
    // ordered_json keeps time, level first: easier for a person reading it raw.
    nlohmann::ordered_json line;
    line["time"] = std::string(time);
    line["level"] = std::string(level);
    for (auto& [key, value] : parts.fields)
        if (key != "time" && key != "level" && key != "msg") line[key] = std::move(value);
    line["msg"] = std::move(parts.message);
    return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {

// RFC 3339 in UTC with milliseconds: what log shippers parse without help.
std::string utc_time(spdlog::log_clock::time_point tp) {
    const auto since = tp.time_since_epoch();
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(since);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since - secs).count();
    const std::time_t t = secs.count();
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return std::string(buf, n) + fmt::format(".{:03}Z", ms);
}

class json_formatter final : public spdlog::formatter {
  public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto level = spdlog::level::to_string_view(msg.level);
        const auto line =
            json_log_line(utc_time(msg.time), std::string_view(level.data(), level.size()),
                          std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(line.data(), line.data() + line.size());
        dest.push_back('\n');
    }
    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<json_formatter>();
    }
};

}  // namespace

void set_log_format(spdlog::logger& logger, log_format format) {
    if (format == log_format::json)
        logger.set_formatter(std::make_unique<json_formatter>());
    else
        logger.set_formatter(
            std::make_unique<spdlog::pattern_formatter>("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v"));
}

std::shared_ptr<spdlog::logger> make_stderr_logger(log_format format, const std::string& level) {
    // _mt: the store writer and the hashing threads log too.
    auto logger = std::make_shared<spdlog::logger>(
        "ussdgw", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    set_log_format(*logger, format);
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::trace);
    return logger;
}

}  // namespace ussdgw::app
