#pragma once
// The simulated SMSC: accepts ESME binds, answers their PDUs (with injected
// faults), turns MT submit_sm into handset events and sends the handsets'
// MO traffic as deliver_sm to the most recently bound ESME (or, with
// --route-by-handset, to the bound ESME the handset's number picks).

#include <utility>  // before Boost.Asio: 1.74's awaitable.hpp uses std::exchange

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>

#include "concat.hpp"
#include "handsets.hpp"
#include "link.hpp"
#include "options.hpp"
#include "pdus.hpp"

namespace ussdgw::sim {

/// An MT message as the handset sees it.
struct mt_message {
    bool ussd = false;  ///< USSD screen or SMS.
    std::string to;     ///< The handset.
    std::string from;   ///< source_addr (service code or short number).
    int op = -1;        ///< ussd_service_op; -1 when absent.
    bool ends = true;   ///< USSD: the dialog is over.
    std::string text;   ///< Decoded to UTF-8.
};

/// What the running mode (phone, script, load) wants to hear about.
class smsc_observer {
  public:
    virtual ~smsc_observer() = default;
    /// An ESME bound successfully.
    virtual void on_bound() {}
    /// An MT message reached a handset (a concatenated SMS once whole).
    virtual void on_mt(const mt_message&) {}
};

/// How an MO ended: the deliver_sm_resp status, or nullopt when the link
/// closed before it was answered.
using mo_done = std::function<void(std::optional<std::uint32_t>)>;

/// The SMSC: listener, ESME links, faults, handsets.
class smsc : private link_handler {
  public:
    /// Nothing listens until listen().
    smsc(boost::asio::io_context& io, const options& opts);
    /// Closes what is still open.
    ~smsc() override;

    /// Opens the listener and prints "ussdgw-smsc-sim listening on HOST:PORT";
    /// throws boost::system::system_error when the address cannot be bound.
    void listen();
    /// Who hears about binds and MTs (may be null).
    void set_observer(smsc_observer* observer) { observer_ = observer; }
    /// Turns off the per-MT and fault lines (load mode prints a summary instead).
    void set_quiet(bool quiet) { quiet_ = quiet; }

    /// Sends a USSD action of `msisdn`; `done` hears the deliver_sm_resp.
    /// Returns why nothing was sent (no ESME bound, no dialog to answer).
    std::optional<std::string> send_ussd(const std::string& msisdn, ussd_action action,
                                         const std::string& text, mo_done done);
    /// Sends an SMS from `msisdn` to `to`; as send_ussd.
    std::optional<std::string> send_sms(const std::string& msisdn, const std::string& to,
                                        const std::string& text, mo_done done);
    /// Sends `msisdn`'s last MO deliver_sm again: the same body under a new
    /// sequence_number, the dialog state untouched (an SMSC that lost the
    /// deliver_sm_resp). As send_ussd; fails when the handset sent nothing yet.
    std::optional<std::string> resend(const std::string& msisdn, mo_done done);
    /// Whether each handset's last MO is kept for resend() (on by default; load
    /// mode turns it off: it never resends and would keep one per handset).
    void set_keep_last_mo(bool keep) { keep_last_mo_ = keep; }

    /// The handsets' dialog state.
    const handsets& phones() const { return handsets_; }
    /// True when some ESME is bound.
    bool bound() const { return current() != nullptr; }
    /// Closes the most recently bound ESME's connection; false if none is bound.
    bool disconnect_current();
    /// Stops listening, unbinds every bound ESME (waiting up to 2 s for the
    /// unbind_resp), closes all connections, then calls `done`.
    void shutdown(std::function<void()> done);

  private:
    struct pending_mo {
        std::uint64_t link_id;
        std::string msisdn;
        mo_done done;
        // --duplicate-every: the MO to send again once this one is answered,
        // and its number among the MOs.
        std::optional<mo_pdu> redeliver = std::nullopt;
        std::uint64_t n = 0;
    };

    void accept();
    esme_link* current() const;
    // The link `msisdn`'s MO goes to: current(), or with --route-by-handset
    // the bound link its number picks (printing a route line when that is
    // not the link its previous MO went to); `sticky` (an MO inside a dialog,
    // a resend) keeps the previous MO's link while it is bound. Null when
    // none is bound.
    esme_link* route(const std::string& msisdn, bool sticky);
    std::uint32_t next_sequence();
    std::optional<std::string> send_mo(const mo_pdu& mo, mo_done done, bool counts = true,
                                       bool sticky = false);
    void reply(esme_link& link, std::uint32_t command_id, std::uint32_t sequence,
               std::uint32_t status);

    void on_pdu(esme_link& link, std::span<const std::uint8_t> frame) override;
    void on_closed(esme_link& link) override;
    void on_enquire_tick(esme_link& link) override;

    void on_bind(esme_link& link, const pdu_header& h, std::span<const std::uint8_t> frame);
    void on_submit(esme_link& link, const pdu_header& h, std::span<const std::uint8_t> frame);
    void on_response(esme_link& link, const pdu_header& h, std::span<const std::uint8_t> frame);
    void send_duplicate(esme_link& link, const mo_pdu& mo, std::uint64_t n);
    void deliver_mt(const mt_pdu& mt);
    void finish_shutdown();

    boost::asio::io_context& io_;
    const options& opts_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::vector<std::shared_ptr<esme_link>> links_;
    handsets handsets_;
    concat_buffer concat_;
    smsc_observer* observer_ = nullptr;
    bool quiet_ = false;
    std::map<std::uint32_t, pending_mo> pending_;      // by deliver_sm sequence_number
    std::unordered_map<std::string, mo_pdu> last_mo_;  // per handset, for resend()
    // --route-by-handset: the bind serial of the link each handset's last MO went to.
    std::unordered_map<std::string, std::uint64_t> routes_;
    bool keep_last_mo_ = true;
    std::uint32_t sequence_ = 0;
    std::uint64_t next_link_id_ = 0;
    std::uint64_t bind_serial_ = 0;
    std::uint64_t submits_ = 0;     // submit_sm/data_sm received, for the fault flags
    std::uint64_t mos_ = 0;         // MO deliver_sm sent (not duplicates), for --duplicate-every
    std::uint64_t message_id_ = 0;  // last message_id handed out

    // Shutdown: links still owing an unbind_resp, and what to call after.
    bool stopping_ = false;  // shutdown() ran: no new MO
    std::set<std::uint64_t> unbinding_;
    std::function<void()> shutdown_done_;
    boost::asio::steady_timer shutdown_timer_;
};

}  // namespace ussdgw::sim
