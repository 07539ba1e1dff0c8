#include "ussdgw/app/metrics.hpp"

#include "ussdgw/app/console_api.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include <fstream>

#include "ussdgw/smpp/pdu.hpp"

namespace ussdgw::app {
namespace {

// One metric family: HELP, TYPE, then its samples.
class page {
  public:
    void family(const std::string& name, const char* type, const std::string& help) {
        out_ += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    }
    void sample(const std::string& name, const std::string& labels, double value) {
        out_ += name;
        if (!labels.empty()) out_ += "{" + labels + "}";
        out_ += fmt::format(" {}\n", value);
    }
    void histogram(const std::string& name, const std::string& labels, const util::histogram& h) {
        std::uint64_t below = 0;
        const std::string sep = labels.empty() ? "" : labels + ",";
        for (std::size_t i = 0; i < util::histogram::bounds.size(); ++i) {
            below += h.in_bucket(i);
            sample(name + "_bucket",
                   sep + label("le", fmt::format("{}", util::histogram::bounds[i])),
                   static_cast<double>(below));
        }
        sample(name + "_bucket", sep + label("le", "+Inf"), static_cast<double>(h.count()));
        sample(name + "_sum", labels, h.sum_seconds());
        sample(name + "_count", labels, static_cast<double>(h.count()));
    }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

std::string direction(bool sent) {
    return sent ? "out" : "in";
}

// Resident set size in bytes, from /proc (0 when unreadable).
double rss_bytes() {
    std::ifstream statm("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    if (!(statm >> pages_total >> pages_resident)) return 0;
    return static_cast<double>(pages_resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

double open_fds() {
    DIR* d = ::opendir("/proc/self/fd");
    if (!d) return 0;
    double n = 0;
    while (auto* e = ::readdir(d))
        if (e->d_name[0] != '.') ++n;
    ::closedir(d);
    return n - 1;  // the directory's own descriptor
}

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return secs(u.ru_utime) + secs(u.ru_stime);
}

// Every kind is listed, failed or not, so an alert's rate() has a series
// from the start.
void store_fault_metrics(page& p, const actions::store_faults& f) {
    using op = actions::store_faults::op;
    p.family("ussdgw_store_errors_total", "counter",
             "store reads and write transactions that failed, by kind");
    for (auto o : {op::write, op::read})
        for (auto k : store::all_fault_kinds)
            p.sample("ussdgw_store_errors_total",
                     label("op", o == op::write ? "write" : "read") + "," +
                         label("kind", std::string(store::to_string(k))),
                     static_cast<double>(f.count(o, k)));
    p.family("ussdgw_store_writes_failing", "gauge",
             "1 while the store's last write transaction failed");
    p.sample("ussdgw_store_writes_failing", "", f.writes_failing() ? 1 : 0);
}

}  // namespace

std::string label(const std::string& name, const std::string& value) {
    std::string v;
    for (char c : value) {
        if (c == '\\' || c == '"')
            v += std::string("\\") + c;
        else if (c == '\n')
            v += "\\n";
        else
            v += c;
    }
    return name + "=\"" + v + "\"";
}

std::string render_metrics(const metrics_sources& s) {
    page p;
    if (s.gateway) {
        const auto& binds = s.gateway->binds();
        p.family("ussdgw_smsc_bound", "gauge", "1 while the bind to the SMSC is up");
        for (const auto& b : binds)
            p.sample("ussdgw_smsc_bound", label("smsc", b->name), b->client->bound() ? 1 : 0);
        p.family("ussdgw_smpp_pdus_total", "counter", "SMPP PDUs by direction, command and status");
        for (const auto& b : binds)
            for (const auto& [k, n] : b->client->pdus().counts) {
                const auto& [sent, command, status] = k;
                p.sample("ussdgw_smpp_pdus_total",
                         label("smsc", b->name) + "," + label("direction", direction(sent)) + "," +
                             label("command", smpp::command_name(command)) + "," +
                             label("status", smpp::status_name(status)),
                         static_cast<double>(n));
            }
        p.family("ussdgw_smpp_window_in_use", "gauge", "requests sent and not yet answered");
        for (const auto& b : binds)
            p.sample("ussdgw_smpp_window_in_use", label("smsc", b->name),
                     static_cast<double>(b->client->window_in_use()));
        p.family("ussdgw_smpp_submits_waiting", "gauge",
                 "submits waiting for window space or for a bind (bounded)");
        for (const auto& b : binds)
            p.sample("ussdgw_smpp_submits_waiting", label("smsc", b->name),
                     static_cast<double>(b->client->submits_waiting()));
        p.family("ussdgw_ussd_routes", "gauge",
                 "USSD dialog routes kept: open dialogs and recently ended ones (bounded)");
        for (const auto& b : binds)
            p.sample("ussdgw_ussd_routes", label("smsc", b->name),
                     static_cast<double>(b->routes.size()));
        p.family("ussdgw_smpp_reconnects_total", "counter", "rebinds scheduled, by why");
        for (const auto& b : binds)
            for (const auto& [why, n] : b->client->stats().reconnects)
                p.sample("ussdgw_smpp_reconnects_total",
                         label("smsc", b->name) + "," + label("reason", why),
                         static_cast<double>(n));
        p.family("ussdgw_submit_retries_total", "counter",
                 "submits sent again, by the status that refused them (ok: the link was lost)");
        for (const auto& b : binds)
            for (const auto& [status, n] : b->client->stats().retries_by_status)
                p.sample("ussdgw_submit_retries_total",
                         label("smsc", b->name) + "," + label("status", smpp::status_name(status)),
                         static_cast<double>(n));
        const auto o = s.gateway->outbox_stats();
        p.family("ussdgw_outbox_pending", "gauge", "SMS waiting in the outbox at the last look");
        p.sample("ussdgw_outbox_pending", "", static_cast<double>(o.pending));
        p.family("ussdgw_outbox_sms_total", "counter", "outbox SMS by what became of them");
        p.sample("ussdgw_outbox_sms_total", label("result", "sent"), static_cast<double>(o.sent));
        p.sample("ussdgw_outbox_sms_total", label("result", "failed_attempt"),
                 static_cast<double>(o.failed));
        p.sample("ussdgw_outbox_sms_total", label("result", "expired"),
                 static_cast<double>(o.expired));
    }
    if (s.door) {
        const auto& d = s.door->stats();
        p.family("ussdgw_dialogs_open", "gauge", "USSD dialogs open now");
        p.sample("ussdgw_dialogs_open", "", static_cast<double>(s.door->dialogs_open()));
        p.family("ussdgw_rate_limit_numbers", "gauge",
                 "subscriber numbers the per-subscriber rate limit remembers (bounded)");
        p.sample("ussdgw_rate_limit_numbers", "",
                 static_cast<double>(s.door->rate_limited_numbers()));
        p.family("ussdgw_dialogs_total", "counter", "USSD dialogs by how they ended");
        for (const char* outcome :
             {"completed", "released", "timeout", "busy", "expired", "error"}) {
            auto it = d.dialogs.find(outcome);
            p.sample("ussdgw_dialogs_total", label("outcome", outcome),
                     it == d.dialogs.end() ? 0 : static_cast<double>(it->second));
        }
        p.family("ussdgw_menu_node_total", "counter",
                 "dialogs at each menu node: reached, chose an item, refused an answer, timed "
                 "out, released");
        for (const auto& r : s.door->funnel().rows(std::chrono::steady_clock::now())) {
            auto labels = label("node", r.node) + "," + label("event", menu::to_string(r.event));
            if (r.event == menu::node_event::chose) labels += "," + label("item", r.item);
            p.sample("ussdgw_menu_node_total", labels, static_cast<double>(r.total));
        }
        p.family("ussdgw_sms_in_total", "counter", "SMS received, by short number and answer");
        for (const auto& [k, n] : d.sms_in)
            p.sample("ussdgw_sms_in_total",
                     label("number", k.first) + "," + label("result", k.second),
                     static_cast<double>(n));
        p.family("ussdgw_actions_total", "counter", "actions run, by action and result");
        for (const auto& [k, n] : d.actions)
            p.sample("ussdgw_actions_total",
                     label("action", k.first) + "," + label("result", k.second),
                     static_cast<double>(n));
        p.family("ussdgw_action_seconds", "histogram",
                 "from asking for an action to its durable outcome");
        for (const auto& [action, h] : d.action_seconds)
            p.histogram("ussdgw_action_seconds", label("action", action), *h);
    }
    if (s.runner) {
        const auto st = s.runner->stats();
        p.family("ussdgw_store_commit_seconds", "histogram", "one group commit (fsync included)");
        p.histogram("ussdgw_store_commit_seconds", "", s.runner->commit_seconds());
        p.family("ussdgw_store_commits_total", "counter", "write transactions, by result");
        p.sample("ussdgw_store_commits_total", label("result", "ok"),
                 static_cast<double>(st.commits));
        p.sample("ussdgw_store_commits_total", label("result", "failed"),
                 static_cast<double>(st.failed_commits));
        p.family("ussdgw_dedup_expired_total", "counter",
                 "remembered requests (resend proof) deleted once their window passed");
        p.sample("ussdgw_dedup_expired_total", "", static_cast<double>(st.dedup_expired));
        p.family("ussdgw_pwhash_waiting", "gauge", "requests waiting for Argon2id work");
        p.sample("ussdgw_pwhash_waiting", "", static_cast<double>(st.hash_waiting));
        p.family("ussdgw_pwhash_shed_total", "counter",
                 "requests answered busy because the Argon2id queue was full");
        p.sample("ussdgw_pwhash_shed_total", "", static_cast<double>(st.hash_shed));
        p.family("ussdgw_pwhash_wait_seconds_total", "counter",
                 "time spent waiting for Argon2id work");
        p.sample("ussdgw_pwhash_wait_seconds_total", "",
                 static_cast<double>(st.hash_wait_us) / 1e6);
        p.family("ussdgw_pwhash_wait_seconds_max", "gauge", "the longest wait for Argon2id work");
        p.sample("ussdgw_pwhash_wait_seconds_max", "",
                 static_cast<double>(st.hash_wait_max_us) / 1e6);
        p.family("ussdgw_read_cache_rows_total", "counter",
                 "rows the event loop's reads took from memory (hit) or from the store (miss)");
        p.sample("ussdgw_read_cache_rows_total", label("result", "hit"),
                 static_cast<double>(st.read_cache_hits));
        p.sample("ussdgw_read_cache_rows_total", label("result", "miss"),
                 static_cast<double>(st.read_cache_misses));
        p.family("ussdgw_read_cache_reruns_total", "counter",
                 "reads run again because another connection committed under them");
        p.sample("ussdgw_read_cache_reruns_total", "", static_cast<double>(st.read_cache_reruns));
        store_fault_metrics(p, s.runner->faults());
    }
    if (s.console) {
        // Who changed the menus, and how: every apply and roll-back.
        p.family("ussdgw_console_changes_total", "counter",
                 "menu changes made through the console, by action (apply, rollback) and user");
        for (const auto& [k, n] : s.console->change_counts())
            p.sample("ussdgw_console_changes_total",
                     label("action", k.first) + "," + label("user", k.second),
                     static_cast<double>(n));
    }
    if (s.reloads) {
        p.family("ussdgw_menu_reloads_total", "counter", "menu reloads (SIGHUP), by result");
        p.sample("ussdgw_menu_reloads_total", label("result", "ok"),
                 static_cast<double>(s.reloads->ok.load()));
        p.sample("ussdgw_menu_reloads_total", label("result", "failed"),
                 static_cast<double>(s.reloads->failed.load()));
        p.family("ussdgw_menu_version", "gauge", "the menus in service: 1 at start, +1 per reload");
        p.sample("ussdgw_menu_version", "", static_cast<double>(s.reloads->version.load()));
    }
    p.family("process_resident_memory_bytes", "gauge", "resident set size");
    p.sample("process_resident_memory_bytes", "", rss_bytes());
    p.family("process_open_fds", "gauge", "open file descriptors");
    p.sample("process_open_fds", "", open_fds());
    p.family("process_cpu_seconds_total", "counter", "user and system CPU time");
    p.sample("process_cpu_seconds_total", "", cpu_seconds());
    return p.take();
}

}  // namespace ussdgw::app
