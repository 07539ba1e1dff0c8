#include "ussdgw/store/demo.hpp"

namespace ussdgw::store {

void load_demo_catalog(accounts& a) {
    // Fees in kopecks. change_fee applies when the free change (once per 30
    // days) was used already.
    a.put_tariff({"Basic", "Basic", "Базовый", 0, 10000, 100, 50, 1024});
    a.put_tariff({"Smart", "Smart", "Смарт", 45000, 10000, 500, 500, 10240});
    a.put_tariff({"Premium", "Premium", "Премиум", 150000, 15000, 3000, 3000, 51200});

    a.put_service({"caller_id", "Caller ID", "Определитель номера", 0, "none"});
    a.put_service({"beep", "Ringback tune", "Гудок", 250, "daily"});
    a.put_service({"roaming_plus", "Roaming plus", "Роуминг плюс", 9900, "monthly"});
    a.put_service({"unlimited_video", "Unlimited video", "Безлимитное видео", 500, "daily"});
    a.put_service({"voicemail", "Voicemail", "Голосовая почта", 0, "none"});
    // Unlimited video cannot be taken on Basic; voicemail comes with Premium.
    a.clear_service_rules("unlimited_video");
    a.clear_service_rules("voicemail");
    a.put_service_rule("unlimited_video", "Basic", "incompatible");
    a.put_service_rule("voicemail", "Premium", "included");
}

bool provision(accounts& a, const hasher& h, subscriber s, const std::string& pin,
               const std::string& puk) {
    if (!a.add_subscriber(s)) return false;
    sim_row sim;
    sim.pin_hash = h.hash(pin);
    sim.puk_hash = h.hash(puk);
    a.put_sim(s.msisdn, sim);
    return true;
}

int load_demo(accounts& a, const hasher& h, unix_time now) {
    load_demo_catalog(a);
    struct row {
        const char* msisdn;
        const char* language;
        const char* tariff;
        kopecks balance;
    };
    static constexpr row rows[] = {
        {"79160000001", "en", "Smart", 25000}, {"79160000002", "ru", "Premium", 100000},
        {"79160000003", "en", "Basic", -1000}, {"79160000004", "ru", "Smart", 5000},
        {"79160000005", "en", "Basic", 0},
    };
    int added = 0;
    for (const auto& r : rows) {
        subscriber s;
        s.msisdn = r.msisdn;
        s.language = r.language;
        s.tariff = r.tariff;
        s.balance = r.balance;
        s.created = now;
        if (provision(a, h, s, demo_pin, demo_puk)) ++added;
    }
    return added;
}

}  // namespace ussdgw::store
