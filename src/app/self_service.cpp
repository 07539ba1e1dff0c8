#include "ussdgw/app/self_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ussdgw/util/log_text.hpp"

namespace ussdgw::app {

namespace asio = boost::asio;
using steady = std::chrono::steady_clock;

self_service_door::self_service_door(asio::any_io_executor executor,
                                     std::shared_ptr<actions::runner> runner,
                                     sms::front_doors doors, self_service_options options)
    : executor_(executor),
      runner_(std::move(runner)),
      doors_(std::move(doors)),
      options_(options),
      table_(options.max_dialogs, options.dialog_timeout),
      guard_timer_(executor),
      per_subscriber_(options.rate_per_subscriber),
      told_(1),
      logged_(1) {}

self_service_door::~self_service_door() {
    *alive_ = false;
}

void self_service_door::attach(reply_sinks sinks) {
    sinks_ = std::move(sinks);
}

void self_service_door::reload(sms::front_doors doors) {
    // Dialogs hold their own shared_ptr to the tree they started on.
    doors_ = std::move(doors);
}

void self_service_door::reconfigure(const self_service_options& o) {
    options_.dialog_timeout = o.dialog_timeout;
    options_.max_dialogs = o.max_dialogs;
    options_.duplicate_window = o.duplicate_window;
    if (o.rate_per_subscriber != options_.rate_per_subscriber) {
        options_.rate_per_subscriber = o.rate_per_subscriber;
        per_subscriber_ = rate_limiter(o.rate_per_subscriber);  // counts start afresh
    }
    table_.set_guard(o.dialog_timeout);
    table_.set_capacity(o.max_dialogs);
}

void self_service_door::run(actions::request req,
                            std::function<void(const actions::outcome&)> then) {
    ++in_flight_;
    // The runner answers on its own thread; hop back to ours. `alive` guards
    // against a door destroyed while the runner still drains.
    // Copied first: the order in which the call's arguments are built is unspecified.
    std::string msisdn = req.msisdn, action = req.action;
    const auto asked = steady::now();
    runner_->run(std::move(req), [ex = executor_, alive = alive_, this, msisdn = std::move(msisdn),
                                  action = std::move(action), asked,
                                  then = std::move(then)](actions::outcome o) mutable {
        asio::post(ex,
                   [alive, this, then = std::move(then), o = std::move(o), msisdn, action, asked] {
                       if (!*alive) return;
                       --in_flight_;
                       ++stats_.actions[{action, o.ok ? "ok" : o.error}];
                       auto& h = stats_.action_seconds[action];
                       if (!h) h = std::make_unique<util::histogram>();
                       h->observe(steady::now() - asked);
                       // Every refusal a subscriber hears is logged once, with its
                       // reason code (never the input: it may be a secret).
                       if (!o.ok && action != "profile")
                           spdlog::info("[msisdn={}] {} refused: {}", msisdn, action, o.error);
                       if (action != "profile" && tracing(msisdn))
                           trace(msisdn, "action",
                                 action + ": " + (o.ok ? std::string("ok") : o.error) +
                                     (o.replayed ? " (repeated: nothing applied again)" : ""));
                       if (o.replayed)
                           spdlog::info(
                               "[msisdn={}] {} repeated within {}s: answered with the earlier "
                               "outcome, nothing applied again",
                               msisdn, action, options_.duplicate_window.count());
                       // The direct answer first (the screen, or the SMS reply: for
                       // "25 <password>" the one-time password), then the action's
                       // notifications ("password accepted"), which the action committed
                       // to the outbox: they go out even when the dialog is gone.
                       then(o);
                       if (o.sms.empty()) return;
                       if (sinks_.outbox)
                           sinks_.outbox();
                       else
                           for (const auto& sms : o.sms) sinks_.sms(sms);
                   });
    });
}

void self_service_door::with_profile(const std::string& msisdn, actions::channel via,
                                     std::function<void(const menu::profile&)> then) {
    actions::request req;
    req.msisdn = msisdn;
    req.via = via;
    req.action = "profile";
    run(std::move(req),
        [then = std::move(then)](const actions::outcome& o) { then(profile_from(o)); });
}

menu::profile profile_from(const actions::outcome& o) {
    menu::profile who;  // unknown subscribers get the files' first language
    if (o.ok) {
        if (auto it = o.vars.find("language"); it != o.vars.end()) who.language = it->second;
        if (auto it = o.vars.find("alphabet"); it != o.vars.end())
            who.latin = it->second == "latin";
        // Facts menus may show options by (`when: linked`); the sentence is not one.
        who.values = o.vars;
        who.values.erase("message");
    }
    return who;
}

// ---- USSD ----

void self_service_door::on_ussd(const domain::ussd_in& in) {
    switch (in.kind) {
        case domain::ussd_kind::begin:
            begin(in);
            break;
        case domain::ussd_kind::answer:
            answer(in);
            break;
        case domain::ussd_kind::release:
            if (const dialog* d = table_.peek({in.msisdn, in.session})) {
                count_left(d->state, menu::node_event::released);
                trace(in.msisdn, "released", {});
            }
            if (table_.close({in.msisdn, in.session}) && ++stats_.dialogs["released"])
                spdlog::debug("[msisdn={} session={}] dialog released by the subscriber", in.msisdn,
                              in.session);
            break;
    }
}

void self_service_door::begin(const domain::ussd_in& in) {
    key k{in.msisdn, in.session};
    if (auto wait = per_subscriber_.take(in.msisdn, steady::now())) {
        // One number dialling faster than any person does: it hears why and
        // costs no dialog, no store work beyond its language.
        ++stats_.dialogs["rate_limited"];
        // Logged at info once a minute per number: a flood must not flood the log.
        spdlog::log(
            logged_.take(in.msisdn, steady::now()) ? spdlog::level::debug : spdlog::level::info,
            "[msisdn={} session={}] more than {} requests a minute: told busy (next "
            "in {}s)",
            in.msisdn, in.session, options_.rate_per_subscriber, wait->count());
        with_profile(in.msisdn, actions::channel::ussd,
                     [this, k, tree = doors_.menus](const menu::profile& who) {
                         answer_outside(k, menu::busy(*tree, who));
                     });
        return;
    }
    auto opened = table_.open(k, steady::now());
    if (!opened.state) {
        ++stats_.dialogs["busy"];
        spdlog::warn("[msisdn={} session={}] dialog table full ({}): busy", in.msisdn, in.session,
                     table_.capacity());
        // In the subscriber's language and alphabet, as every screen.
        with_profile(in.msisdn, actions::channel::ussd,
                     [this, k, tree = doors_.menus](const menu::profile& who) {
                         answer_outside(k, menu::busy(*tree, who));
                     });
        return;
    }
    dialog& d = *opened.state;
    d.id = ++next_id_;
    if (tracing(in.msisdn))
        trace(in.msisdn, "dial", util::for_log(menu::redact_dialled(*doors_.menus, in.text)));
    d.dialled = options_.request_keys(in.text);
    arm_guard_timer();
    if (spdlog::should_log(spdlog::level::debug))
        spdlog::debug("[msisdn={} session={}] dialog begins: {}", in.msisdn, in.session,
                      util::for_log(menu::redact_dialled(*doors_.menus, in.text)));
    auto tree = doors_.menus;
    d.state.waiting = true;  // nothing on screen yet: answers wait for the first screen
    with_profile(in.msisdn, actions::channel::ussd,
                 [this, k, id = d.id, tree, text = in.text](const menu::profile& who) {
                     dialog* d = current(k, id);
                     if (!d) return;
                     d->state.waiting = false;
                     advance(k, id, menu::start(d->state, tree, who, text));
                 });
}

void self_service_door::answer(const domain::ussd_in& in) {
    key k{in.msisdn, in.session};
    dialog* d = table_.find(k, steady::now());
    if (!d) {
        // The guard timer or a restart dropped it; say so rather than stay silent.
        ++stats_.dialogs["expired"];
        spdlog::info("[msisdn={} session={}] answer to an ended dialog: told it expired", in.msisdn,
                     in.session);
        with_profile(in.msisdn, actions::channel::ussd,
                     [this, k, tree = doors_.menus](const menu::profile& who) {
                         answer_outside(k, menu::expired(*tree, who));
                     });
        return;
    }
    arm_guard_timer();
    if (d->state.waiting) {
        spdlog::debug("[msisdn={} session={}] answer while an action runs: ignored", in.msisdn,
                      in.session);
        return;
    }
    if (spdlog::should_log(spdlog::level::debug))
        spdlog::debug("[msisdn={} session={}] answer: {}", in.msisdn, in.session,
                      util::for_log(menu::redact_input(d->state, in.text)));
    if (tracing(in.msisdn))
        trace(in.msisdn, "answer", util::for_log(menu::redact_input(d->state, in.text)));
    try {
        const auto at = d->state.node;
        const menu::tree* tree = d->state.menus.get();  // the dialog's, for its whole life
        auto s = menu::answer(d->state, in.text);
        if (tree) count_answer(*tree, at, in.text, s);
        advance(k, d->id, std::move(s));
    } catch (const std::logic_error& e) {
        ++stats_.dialogs["error"];
        spdlog::error("[msisdn={} session={}] dialog in a bad state: {}", in.msisdn, in.session,
                      e.what());
        const auto& st = d->state;
        send_screen(k, menu::expired(*st.menus, {st.menus->languages[st.language], st.latin}));
    }
}

self_service_door::dialog* self_service_door::current(const key& k, std::uint64_t id) {
    dialog* d = table_.peek(k);
    return d && d->id == id ? d : nullptr;
}

void self_service_door::advance(const key& k, std::uint64_t id, menu::step s) {
    if (!s.refused.empty())
        spdlog::info("[msisdn={} session={}] {}: told so on the screen", k.msisdn, k.session,
                     s.refused);
    if (!s.call) {
        send_screen(k, s);
        return;
    }
    actions::request req;
    req.msisdn = k.msisdn;
    req.via = actions::channel::ussd;
    req.action = s.call->name;
    req.arguments = std::move(s.call->args);
    if (s.dialled) {
        // An action straight from the dialled string ("*111*4*4*NUM*10*1#",
        // "**04*OLD*NEW*NEW#") has no screen of ours between the dial and the
        // change, so nothing else stops a resent begin from paying twice: the
        // store remembers it (same subscriber, dialog and string) for the
        // window, in the action's own transaction.
        if (const dialog* d = current(k, id))
            req.dedup_key = fmt::format("ussd/{}/{}/{:016x}", k.msisdn, k.session, d->dialled);
        req.dedup_window_seconds = options_.duplicate_window.count();
    }
    run(std::move(req), [this, k, id](const actions::outcome& o) {
        dialog* d = current(k, id);
        if (!d) return;  // dialog gone (timeout, release): the action still counted
        advance(k, id, menu::on_outcome(d->state, o));
    });
}

bool self_service_door::tracing(const std::string& msisdn) const {
    return trace_ && trace_->traced(msisdn);
}

void self_service_door::trace(const std::string& msisdn, const char* kind, std::string_view text) {
    // Every screen passes here: nothing is copied unless the number is traced.
    if (tracing(msisdn)) trace_->note(msisdn, kind, std::string(text));
}

void self_service_door::answer_outside(const key& k, const menu::step& s) {
    trace(k.msisdn, "final screen", s.text);
    // A busy or expired screen belongs to no dialog of ours: it must not
    // close one. A begin with the same key may have opened a dialog while the
    // subscriber's language was being looked up, and that dialog goes on.
    sinks_.ussd({k.msisdn, k.session, s.text, s.end});
}

void self_service_door::count_reached(dialog& d) {
    // Once per visit: a page turn or a refused answer shows the node again
    // but reaches nothing new.
    const auto& st = d.state;
    if (!st.menus || st.node == menu::no_node || st.node == d.counted) return;
    d.counted = st.node;
    funnel_.count(st.menus->nodes[st.node].id, menu::node_event::reached, {}, steady::now());
}

void self_service_door::count_answer(const menu::tree& tree, menu::node_id at,
                                     std::string_view input, const menu::step& s) {
    if (at == menu::no_node) return;
    const menu::node& n = tree.nodes[at];
    if (s.refused == "invalid_choice" || s.refused == "input_rejected") {
        funnel_.count(n.id, menu::node_event::invalid, {}, steady::now());
        return;
    }
    // Items only, by their key: an input node's answer may be a PIN.
    if (n.kind != menu::node_kind::menu) return;
    for (const auto& o : n.options)
        if (o.key == input) {
            funnel_.count(n.id, menu::node_event::chose, o.key, steady::now());
            return;
        }
}

void self_service_door::count_left(const menu::dialog_state& st, menu::node_event how) {
    if (st.menus && st.node != menu::no_node)
        funnel_.count(st.menus->nodes[st.node].id, how, {}, steady::now());
}

void self_service_door::send_screen(const key& k, const menu::step& s) {
    if (dialog* d = table_.peek(k)) count_reached(*d);
    trace(k.msisdn, s.end ? "final screen" : "screen", s.text);
    sinks_.ussd({k.msisdn, k.session, s.text, s.end});
    if (s.end && table_.close(k)) ++stats_.dialogs["completed"];
}

void self_service_door::arm_guard_timer() {
    auto next = table_.next_deadline();
    if (!next || (timer_at_ && *timer_at_ <= *next)) return;
    timer_at_ = next;
    guard_timer_.expires_at(*next);
    guard_timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
        if (ec || !*alive) return;
        timer_at_.reset();
        const auto last_look = [this](const key& k, const dialog& d) {
            count_left(d.state, menu::node_event::timeout);
            trace(k.msisdn, "timeout", {});
        };
        for (const auto& k : table_.expire(steady::now(), last_look)) {
            ++stats_.dialogs["timeout"];
            spdlog::debug("[msisdn={} session={}] dialog timed out", k.msisdn, k.session);
        }
        arm_guard_timer();
    });
}

// ---- SMS ----

void self_service_door::on_sms(const domain::sms_in& in) {
    auto commands = doors_.commands;
    if (auto wait = per_subscriber_.take(in.from, steady::now())) {
        ++stats_.sms_in[{"other", "rate_limited"}];
        // Told once a minute, not once per SMS: a reply per message would
        // let a flood of MOs make a flood of MTs.
        const bool tell = !told_.take(in.from, steady::now());
        spdlog::log(tell ? spdlog::level::info : spdlog::level::debug,
                    "[msisdn={} to={}] more than {} requests a minute: SMS not acted on; {}",
                    in.from, util::for_log(in.to), options_.rate_per_subscriber,
                    tell ? "told busy" : "already told this minute");
        if (!tell) return;
        with_profile(in.from, actions::channel::sms,
                     [this, in, tree = doors_.menus](const menu::profile& who) {
                         sinks_.sms({in.to, in.from, menu::busy(*tree, who).text});
                     });
        return;
    }
    if (spdlog::should_log(spdlog::level::debug))
        spdlog::debug("[msisdn={} to={}] SMS: {}", in.from, util::for_log(in.to),
                      util::for_log(commands->redact(in)));
    with_profile(in.from, actions::channel::sms, [this, in, commands](const menu::profile& who) {
        sms::routed r = commands->route(in, who);
        // Numbers without commands are "other": a label per unknown number
        // would let anyone grow the metrics without bound.
        const bool known = r.kind != sms::routed_kind::unknown_number;
        ++stats_.sms_in[{known ? in.to : std::string("other"), sms::to_string(r.kind)}];
        if (!r.call) {
            // A text no command matched is a refusal: logged as redacted
            // (a near miss may hold a secret: then only its length).
            if (r.kind == sms::routed_kind::help || r.kind == sms::routed_kind::unknown_number)
                spdlog::info("[msisdn={} to={}] SMS matched no command: {}; {}", in.from,
                             util::for_log(in.to), util::for_log(commands->redact(in)),
                             r.reply ? "answered with help" : "no reply on this number");
            if (r.reply) sinks_.sms(*r.reply);
            return;
        }
        actions::request req;
        req.msisdn = in.from;
        req.via = actions::channel::sms;
        req.action = r.call->name;
        req.arguments = r.call->args;
        // Only an SMSC reference that its profile says is kept on redelivery
        // proves a resend; then the action is not applied twice, and the
        // subscriber still hears back. A repeated text without it is a new
        // message: answered, never silenced.
        if (!in.smsc_ref.empty()) {
            req.dedup_key = fmt::format("sms/{}/{}/{}/{:016x}", in.from, in.to, in.smsc_ref,
                                        options_.request_keys(in.text));
            req.dedup_window_seconds = options_.duplicate_window.count();
        }
        run(std::move(req), [this, commands, r](const actions::outcome& o) {
            if (auto reply = commands->reply(r, o)) sinks_.sms(*reply);
        });
    });
}

}  // namespace ussdgw::app
