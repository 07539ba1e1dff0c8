#pragma once
// The self-service front door: USSD dialogs driven by the menu engine, SMS
// commands by the router, both calling named actions through one runner.
// Runs on the daemon's event-loop thread; action outcomes come back from the
// runner's thread and are posted here.

#include <utility>  // before asio: std::exchange for boost 1.74 awaitable.hpp

#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "ussdgw/actions/action.hpp"
#include "ussdgw/app/dialog_trace.hpp"
#include "ussdgw/app/front_door.hpp"
#include "ussdgw/app/rate_limiter.hpp"
#include "ussdgw/menu/engine.hpp"
#include "ussdgw/menu/funnel.hpp"
#include "ussdgw/sms/front_doors.hpp"
#include "ussdgw/ussd/dialogs.hpp"
#include "ussdgw/util/fingerprint.hpp"
#include "ussdgw/util/histogram.hpp"

namespace ussdgw::app {

/// Tunables of the self-service door (from [ussd] in config).
struct self_service_options {
    std::chrono::seconds dialog_timeout{60};  ///< guard time of an idle dialog
    std::size_t max_dialogs = 100'000;        ///< live dialogs at most
    /// How long a direct code's action (and a proven SMS resend) is
    /// remembered, so a repeat within it is answered without running again.
    std::chrono::seconds duplicate_window{60};
    /// USSD dialogs plus SMS commands one subscriber may start per minute (a
    /// burst of that many, then one every 60/N s); beyond it they hear "busy,
    /// try later". 0: no limit.
    std::size_t rate_per_subscriber = 60;
    /// Keys the remembered requests (derived from the store's server secret, so
    /// the keys hold no dialled text and stay the same across restarts).
    util::fingerprinter request_keys;
};

/// What the door did, counted where it happens (the metrics read it).
struct door_stats {
    /// Dialogs by how they ended: completed, released, timeout, busy,
    /// rate_limited, expired, error.
    std::map<std::string, std::uint64_t> dialogs;
    /// SMS in by (short number, what answered it: command, reply, help,
    /// unknown_number, rate_limited);
    /// numbers without commands count as "other".
    std::map<std::pair<std::string, std::string>, std::uint64_t> sms_in;
    /// Actions run by (action, result: "ok" or the refusal's error code).
    std::map<std::pair<std::string, std::string>, std::uint64_t> actions;
    /// From asking for an action to its durable outcome, by action.
    std::map<std::string, std::unique_ptr<util::histogram>> action_seconds;
};

/// The menu profile (language, alphabet, facts for `when:`) from the outcome
/// of the "profile" action; the files' first language when it was refused.
menu::profile profile_from(const actions::outcome& o);

/// USSD + SMS self-service over the menu tree, the SMS commands and the actions.
class self_service_door : public front_door {
  public:
    /// `runner` must outlive the door; `doors` is the loaded menus/ directory.
    self_service_door(boost::asio::any_io_executor executor,
                      std::shared_ptr<actions::runner> runner, sms::front_doors doors,
                      self_service_options options);
    ~self_service_door() override;

    void attach(reply_sinks sinks) override;
    void on_ussd(const domain::ussd_in& in) override;
    void on_sms(const domain::sms_in& in) override;
    std::size_t in_flight() const override { return in_flight_; }
    /// Counters so far.
    const door_stats& stats() const { return stats_; }
    /// Records the dialogs of the numbers `t` traces (the console's live
    /// trace); nullptr: none. `t` must outlive the door.
    void set_trace(dialog_trace* t) { trace_ = t; }
    /// The menu tree in service (replaced by a reload).
    std::shared_ptr<const menu::tree> menus() const { return doors_.menus; }
    /// Per menu node: reached, items chosen, answers refused, timeouts, hang-ups.
    const menu::funnel& funnel() const { return funnel_; }
    /// Dialogs open now.
    std::size_t dialogs_open() const { return table_.size(); }
    /// Subscribers the per-subscriber rate limit remembers now (bounded).
    std::size_t rate_limited_numbers() const { return per_subscriber_.keys(); }

    /// Swaps in freshly loaded menus and SMS commands; running dialogs finish
    /// on the tree they started on.
    void reload(sms::front_doors doors);
    /// New guard time, table bound and duplicate window (a reload); dialogs
    /// already open keep their deadline until their next message.
    void reconfigure(const self_service_options& o);

  private:
    struct dialog {
        menu::dialog_state state;   // the engine's view
        std::uint64_t id = 0;       // tells a fresh dialog from a replaced one of the same key
        std::uint64_t dialled = 0;  // keyed fingerprint of the string that began it
        menu::node_id counted = menu::no_node;  // the node last counted as reached
    };
    using key = ussd::dialog_key;

    void begin(const domain::ussd_in& in);
    void answer(const domain::ussd_in& in);
    void advance(const key& k, std::uint64_t id, menu::step s);
    dialog* current(const key& k, std::uint64_t id);
    void send_screen(const key& k, const menu::step& s);
    void count_reached(dialog& d);
    void count_answer(const menu::tree& tree, menu::node_id at, std::string_view input,
                      const menu::step& s);
    void count_left(const menu::dialog_state& st, menu::node_event how);
    bool tracing(const std::string& msisdn) const;
    void trace(const std::string& msisdn, const char* kind, std::string_view text);
    void answer_outside(const key& k, const menu::step& s);
    void run(actions::request req, std::function<void(const actions::outcome&)> then);
    void with_profile(const std::string& msisdn, actions::channel via,
                      std::function<void(const menu::profile&)> then);
    void arm_guard_timer();

    boost::asio::any_io_executor executor_;
    std::shared_ptr<actions::runner> runner_;
    sms::front_doors doors_;
    self_service_options options_;
    reply_sinks sinks_;
    ussd::dialog_table<dialog> table_;
    boost::asio::steady_timer guard_timer_;
    std::optional<ussd::dialog_clock::time_point> timer_at_;
    std::uint64_t next_id_ = 0;
    std::size_t in_flight_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    door_stats stats_;
    menu::funnel funnel_;
    dialog_trace* trace_ = nullptr;
    rate_limiter per_subscriber_;  // dialogs and SMS commands per subscriber
    rate_limiter told_;            // one "busy" SMS per subscriber per minute, not one per SMS
    rate_limiter logged_;          // one info line per limited subscriber per minute
};

}  // namespace ussdgw::app
