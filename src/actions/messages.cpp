// Every sentence the actions say. Translators: keep the {placeholders}; add a
// language by adding a column and a branch in text().

#include "ussdgw/actions/messages.hpp"

#include <iterator>

namespace ussdgw::actions {

namespace {

struct row {
    msg id;
    const char* en;
    const char* ru;
};

constexpr row table[] = {
    // Refusals.
    {msg::unknown_subscriber,
     "Number {msisdn} is not served by this service. Please contact the operator.",
     "Номер {msisdn} не обслуживается. Обратитесь к оператору."},
    {msg::unknown_action, "This service is not available.", "Эта услуга недоступна."},
    {msg::bad_argument, "Invalid request: {what}.", "Неверный запрос: {what}."},
    {msg::storage_error, "Service is temporarily unavailable. Please try later.",
     "Сервис временно недоступен. Попробуйте позже."},
    {msg::busy, "Too many requests at once. Please try again in a minute.",
     "Слишком много запросов сразу. Повторите через минуту."},
    {msg::insufficient_funds, "Not enough money: {missing} RUB missing.",
     "Недостаточно средств: не хватает {missing} руб."},
    {msg::lent_money,
     "Only your own money can be transferred: {available} RUB now; {lent} RUB of the balance is a "
     "promised payment until it is repaid.",
     "Перевести можно только свои деньги: сейчас {available} руб.; {lent} руб. баланса - обещанный "
     "платёж до его погашения."},
    {msg::unknown_tariff, "There is no such tariff.", "Такого тарифа нет."},
    {msg::same_tariff, "You are already on tariff {tariff_title}.",
     "Вы уже на тарифе {tariff_title}."},
    {msg::unknown_service, "There is no such service.", "Такой услуги нет."},
    {msg::already_connected, "Service {service_name} is already connected.",
     "Услуга {service_name} уже подключена."},
    {msg::included_in_tariff, "Service {service_name} is already included in your tariff.",
     "Услуга {service_name} уже входит в ваш тариф."},
    {msg::not_connected, "Service {service_name} is not connected.",
     "Услуга {service_name} не подключена."},
    {msg::incompatible_tariff, "Service {service_name} is not available on tariff {tariff_title}.",
     "Услуга {service_name} недоступна на тарифе {tariff_title}."},
    {msg::part_of_tariff,
     "Service {service_name} is part of your tariff and cannot be disconnected.",
     "Услуга {service_name} входит в тариф и не может быть отключена."},
    {msg::promised_balance_too_low,
     "Promised payment is available only when the balance is not below {min_balance} RUB.",
     "Обещанный платёж доступен, только если баланс не ниже {min_balance} руб."},
    {msg::promised_outstanding, "You already have a promised payment of {amount} RUB due {due}.",
     "У вас уже есть обещанный платёж на {amount} руб. со сроком погашения {due}."},
    {msg::promised_amount, "Promised payment amount must be from {min} to {max} RUB.",
     "Сумма обещанного платежа должна быть от {min} до {max} руб."},
    {msg::trust_already_on, "Full trust is already on.", "Услуга «Полное доверие» уже подключена."},
    {msg::trust_already_off, "Full trust is not on.", "Услуга «Полное доверие» не подключена."},
    {msg::trust_debt, "Full trust cannot be switched off while the balance is negative.",
     "Нельзя отключить «Полное доверие», пока баланс отрицательный."},
    {msg::already_blocked, "The number is already blocked.", "Номер уже заблокирован."},
    {msg::not_blocked, "The number is not blocked.", "Номер не заблокирован."},
    {msg::topup_range, "Payment amount must be from {min} to {max} RUB.",
     "Сумма платежа должна быть от {min} до {max} руб."},
    {msg::transfer_range, "Transfer amount must be from {min} to {max} RUB.",
     "Сумма перевода должна быть от {min} до {max} руб."},
    {msg::unknown_recipient, "Number {to} is not a subscriber of the operator.",
     "Номер {to} не является абонентом оператора."},
    {msg::bad_number,
     "{to} is not a mobile number. Enter 10 digits starting with 9, 11 digits starting with 7 "
     "or 8, or +7 and 10 digits.",
     "{to} - не номер мобильного телефона. Введите 10 цифр, начиная с 9, 11 цифр, начиная с 7 "
     "или 8, или +7 и 10 цифр."},
    {msg::same_number, "You cannot send to your own number.", "Нельзя отправить на свой же номер."},
    {msg::insufficient_bonus, "Not enough bonus points: {missing} missing.",
     "Недостаточно бонусных баллов: не хватает {missing}."},
    {msg::unknown_package, "There is no such bonus package.", "Такого бонусного пакета нет."},
    {msg::bad_points, "The number of points must be a positive whole number.",
     "Количество баллов должно быть целым положительным числом."},
    {msg::weak_password, "Password change error: {detail}.", "Ошибка смены пароля: {detail}."},
    {msg::pw_too_short, "the password must have at least {min} characters",
     "пароль должен содержать не менее {min} символов"},
    {msg::pw_too_long, "the password must have at most {max} characters",
     "пароль должен содержать не более {max} символов"},
    {msg::pw_not_latin, "use Latin letters, digits and punctuation only",
     "используйте только латинские буквы, цифры и знаки препинания"},
    {msg::pw_classes,
     "the password needs an upper-case letter, a lower-case letter and a digit or punctuation sign",
     "пароль должен содержать заглавную и строчную букву и цифру или знак препинания"},
    {msg::pw_repeats, "no character may appear more than {max_repeat} times",
     "ни один символ не может повторяться более {max_repeat} раз"},
    {msg::no_password, "No password is set. Dial *111*25# to get one.",
     "Пароль не установлен. Наберите *111*25#, чтобы получить его."},
    {msg::wrong_password, "Wrong password. Attempts left: {attempts_left}.",
     "Неверный пароль. Осталось попыток: {attempts_left}."},
    {msg::password_locked,
     "Password login is blocked after {max} wrong attempts. Order a new password: *111*25#.",
     "Вход по паролю заблокирован после {max} неверных попыток. Закажите новый пароль: *111*25#."},
    {msg::password_expired, "The password has expired. Order a new one: *111*25#.",
     "Срок действия пароля истёк. Закажите новый: *111*25#."},
    {msg::password_used, "This one-time password has already been used.",
     "Этот одноразовый пароль уже использован."},
    {msg::nm_already_on, "Number management is already on.",
     "Услуга «Управление номерами» уже подключена."},
    {msg::nm_needed, "Number management is off for {owner}: switch it on with *111*828*1# first.",
     "У номера {owner} не подключено «Управление номерами»: сначала наберите *111*828*1#."},
    {msg::no_links, "No numbers are linked to your account.",
     "К вашему счёту не привязаны номера."},
    {msg::link_taken, "Number {other} is already linked to another account.",
     "Номер {other} уже привязан к другому счёту."},
    {msg::not_linked, "Number {other} is not linked to this account.",
     "Номер {other} не привязан к этому счёту."},
    {msg::nm_already_off, "Number management is already off.",
     "Услуга «Управление номерами» уже отключена."},
    {msg::alerts_bad_state, "Login alerts can only be switched on or off.",
     "Оповещения о входе можно только включить или выключить."},
    {msg::bad_pin, "The new PIN must have {min} to {max} digits.",
     "Новый PIN-код должен содержать от {min} до {max} цифр."},
    {msg::pin_mismatch, "The new PINs do not match.", "Новые PIN-коды не совпадают."},
    {msg::wrong_pin, "Wrong PIN. Attempts left: {attempts_left}.",
     "Неверный PIN-код. Осталось попыток: {attempts_left}."},
    {msg::pin_blocked, "The PIN is blocked. Unblock it with the PUK: **05*PUK*NEW*NEW#.",
     "PIN-код заблокирован. Разблокируйте его PUK-кодом: **05*PUK*НОВЫЙ*НОВЫЙ#."},
    {msg::wrong_puk, "Wrong PUK. Attempts left: {attempts_left}.",
     "Неверный PUK-код. Осталось попыток: {attempts_left}."},
    {msg::sim_blocked,
     "The SIM card is blocked for good. Please get a new SIM card; your number is kept.",
     "SIM-карта заблокирована навсегда. Получите новую SIM-карту, номер сохранится."},
    {msg::no_sim, "No SIM codes are on record for this number.",
     "Для этого номера нет данных SIM-карты."},
    {msg::bad_period, "The period must be from 1 to {max} months.",
     "Период должен быть от 1 до {max} месяцев."},
    // Success replies.
    {msg::ok_profile, "Language: {language_name}.", "Язык: {language_name}."},
    {msg::ok_balance,
     "Balance: {balance} RUB. Bonus: {bonus} points. Tariff: {tariff_title}. Left: {minutes_left} "
     "min, {sms_left} SMS, {mb_left} MB.",
     "Баланс: {balance} руб. Бонусные баллы: {bonus}. Тариф: {tariff_title}. Осталось: "
     "{minutes_left} мин, {sms_left} SMS, {mb_left} МБ."},
    {msg::ok_tariff_info,
     "Tariff {tariff_title}: {monthly_fee} RUB/month; {minutes} min, {sms} SMS, {mb} MB. "
     "Changing to it now costs {change_fee_now} RUB.",
     "Тариф {tariff_title}: {monthly_fee} руб./мес.; {minutes} мин, {sms} SMS, {mb} МБ. Переход "
     "на него сейчас стоит {change_fee_now} руб."},
    {msg::ok_tariffs_list, "Tariffs:\n{tariffs}", "Тарифы:\n{tariffs}"},
    {msg::ok_tariff_changed, "Your tariff is now {tariff_title}. Charged: {fee} RUB.",
     "Ваш тариф теперь {tariff_title}. Списано: {fee} руб."},
    {msg::ok_services_list, "Your services:\n{services}", "Ваши услуги:\n{services}"},
    {msg::ok_services_none, "No services are connected.", "Подключённых услуг нет."},
    {msg::ok_service_connected, "Service {service_name} is connected. Charged: {fee} RUB.",
     "Услуга {service_name} подключена. Списано: {fee} руб."},
    {msg::ok_service_disconnected, "Service {service_name} is disconnected.",
     "Услуга {service_name} отключена."},
    {msg::ok_promised,
     "Promised payment of {amount} RUB is credited, fee {fee} RUB. It will be repaid on {due}.",
     "Обещанный платёж {amount} руб. зачислен, комиссия {fee} руб. Он будет списан {due}."},
    {msg::ok_trust_on, "Full trust is on: credit limit {credit_limit} RUB.",
     "Услуга «Полное доверие» подключена: кредитный лимит {credit_limit} руб."},
    {msg::ok_trust_off, "Full trust is off.", "Услуга «Полное доверие» отключена."},
    {msg::ok_blocked,
     "The number is blocked. Free until {free_until}, then {daily_fee} RUB per day. Self-service "
     "*111# keeps working.",
     "Номер заблокирован. Бесплатно до {free_until}, далее {daily_fee} руб. в день. "
     "Самообслуживание *111# продолжает работать."},
    {msg::ok_unblocked, "The number is unblocked.", "Номер разблокирован."},
    {msg::ok_topup, "Payment of {amount} RUB received. Balance: {balance} RUB.",
     "Платёж {amount} руб. зачислен. Баланс: {balance} руб."},
    {msg::ok_transfer, "{amount} RUB sent to {to}. Balance: {balance} RUB.",
     "{amount} руб. переведено на номер {to}. Баланс: {balance} руб."},
    {msg::ok_bonus_balance, "Bonus points: {bonus}.", "Бонусных баллов: {bonus}."},
    {msg::ok_bonus_spent,
     "Package {package_title} added for {points} points. Points left: {bonus}.",
     "Пакет «{package_title}» подключён. Списано баллов: {points}. Осталось баллов: {bonus}."},
    {msg::ok_bonus_given, "{points} points given to {to}. Points left: {bonus}.",
     "Передано баллов на номер {to}: {points}. Осталось баллов: {bonus}."},
    {msg::ok_password_issued, "Your new password will arrive by SMS from {sender}.",
     "Новый пароль придёт в SMS с номера {sender}."},
    {msg::ok_password_set, "Your one-time password: {otp}", "Ваш одноразовый пароль: {otp}"},
    {msg::ok_password_checked, "Password accepted.", "Пароль принят."},
    {msg::ok_nm_on, "Number management is on.", "Услуга «Управление номерами» подключена."},
    {msg::ok_linked, "Number {other} is linked to the account of {owner}.",
     "Номер {other} привязан к счёту {owner}."},
    {msg::ok_unlinked, "Number {other} is no longer linked to {owner}.",
     "Номер {other} больше не привязан к {owner}."},
    {msg::ok_linked_balances, "Your numbers:\n{lines}", "Ваши номера:\n{lines}"},
    {msg::line_linked_balance, "{msisdn}: {balance} RUB", "{msisdn}: {balance} руб."},
    {msg::sms_linked, "Your number is now linked to the account of {owner} (number management).",
     "Ваш номер привязан к счёту {owner} (услуга «Управление номерами»)."},
    {msg::ok_nm_off, "Number management is off.", "Услуга «Управление номерами» отключена."},
    {msg::ok_alerts_on, "Login alerts are on.", "Оповещения о входе включены."},
    {msg::ok_alerts_off, "Login alerts are off.", "Оповещения о входе выключены."},
    {msg::ok_pin_changed, "The PIN has been changed.", "PIN-код изменён."},
    {msg::ok_pin_unblocked, "The SIM is unblocked and the new PIN is set.",
     "SIM-карта разблокирована, новый PIN-код установлен."},
    {msg::ok_details, "Your order ({kind}, {from} - {to}) is accepted.",
     "Ваш заказ ({kind}, {from} - {to}) принят."},
    {msg::ok_archive, "Last actions:\n{archive}", "Последние действия:\n{archive}"},
    {msg::ok_archive_empty, "No actions yet.", "Действий пока нет."},
    {msg::ok_payments, "Payments:\n{payments}", "Платежи:\n{payments}"},
    {msg::ok_payments_empty, "No payments yet.", "Платежей пока нет."},
    {msg::ok_app_link, "A link to the app is sent by SMS.",
     "Ссылка на приложение отправлена в SMS."},
    {msg::ok_sms_archive, "SMS archive is on. Archive password: {archive_password}",
     "SMS-архив подключён. Пароль архива: {archive_password}"},
    {msg::ok_language, "Language: English.", "Язык: русский."},
    {msg::ok_alphabet_latin, "Menu alphabet: Latin.", "Алфавит меню: латиница."},
    {msg::ok_alphabet_cyrillic, "Menu alphabet: Cyrillic.", "Алфавит меню: кириллица."},
    // SMS.
    {msg::sms_password, "Your password: {password}. It is valid for {hours} hours if unused.",
     "Ваш пароль: {password}. Если его не использовать, он действует {hours} ч."},
    {msg::sms_password_accepted, "Your new password is accepted.", "Ваш новый пароль принят."},
    {msg::sms_service_connected, "Service {service_name} is connected. Fee: {fee_text}.",
     "Услуга {service_name} подключена. Стоимость: {fee_text}."},
    {msg::sms_service_disconnected, "Service {service_name} is disconnected.",
     "Услуга {service_name} отключена."},
    {msg::sms_transfer_in, "You received {amount} RUB from {from}.",
     "Вам поступило {amount} руб. с номера {from}."},
    {msg::sms_bonus_in, "You received {points} bonus points from {from}.",
     "Вам переданы бонусные баллы с номера {from}: {points}."},
    {msg::sms_app_link, "Get the app: {url}", "Приложение: {url}"},
    {msg::sms_details, "Your order ({kind}, {from} - {to}) is accepted and will be sent to you.",
     "Ваш заказ ({kind}, {from} - {to}) принят и будет отправлен вам."},
    {msg::sms_login_refused,
     "Login to your account refused at {time}: {why}. If it was not you, order a new password: "
     "*111*25#.",
     "Вход в личный кабинет отклонён в {time}: {why}. Если это были не вы, закажите новый "
     "пароль: *111*25#."},
    {msg::sms_login_ok,
     "Successful login to your account at {time}. If it was not you, order a new password: "
     "*111*25#.",
     "Успешный вход в личный кабинет в {time}. Если это были не вы, закажите новый пароль: "
     "*111*25#."},
    {msg::sms_alerts_suppressed, "Alerts not sent since {since}: {count}.",
     "Не отправлено оповещений с {since}: {count}."},
    {msg::sms_trust_limit,
     "Full trust: your credit limit is now {credit_limit} RUB (it was {old_limit} RUB).",
     "«Полное доверие»: ваш кредитный лимит теперь {credit_limit} руб. (был {old_limit} руб.)."},
    // Words.
    {msg::word_free, "free", "бесплатно"},
    {msg::word_now, "now", "сейчас"},
    {msg::word_per_day, "{fee} RUB/day", "{fee} руб./день"},
    {msg::word_per_month, "{fee} RUB/month", "{fee} руб./мес."},
    {msg::word_one_off, "{fee} RUB", "{fee} руб."},
    {msg::word_in_tariff, "in tariff", "в тарифе"},
    {msg::word_details_calls, "call details", "детализация звонков"},
    {msg::word_details_statement, "account statement", "выписка по счёту"},
    {msg::word_details_cost_control, "cost control", "контроль расходов"},
    {msg::word_details_bill, "monthly bill", "ежемесячный счёт"},
    {msg::word_login_wrong, "wrong password (attempts left: {attempts_left})",
     "неверный пароль (осталось попыток: {attempts_left})"},
    {msg::word_login_locked, "password login is blocked after {max} wrong attempts",
     "вход по паролю заблокирован после {max} неверных попыток"},
    {msg::word_login_expired, "the password has expired", "срок действия пароля истёк"},
    {msg::word_login_used, "the one-time password was already used",
     "одноразовый пароль уже использован"},
    {msg::word_login_no_password, "no password is set", "пароль не установлен"},
    {msg::word_language_en, "English", "английский"},
    {msg::word_language_ru, "Russian", "русский"},
    {msg::word_package_minutes, "{count} min", "{count} мин"},
    {msg::word_package_sms, "{count} SMS", "{count} SMS"},
    {msg::word_package_mb, "{count} MB", "{count} МБ"},
    {msg::word_result_ok, "done", "выполнено"},
    {msg::word_result_refused, "refused", "отказ"},
    {msg::word_param_amount, "amount", "сумма"},
    {msg::word_param_to, "recipient's number", "номер получателя"},
    {msg::word_param_points, "number of points", "количество баллов"},
    {msg::word_param_choice, "choice", "выбор"},
    {msg::word_param_limit, "number of lines", "количество строк"},
    {msg::word_param_language, "language", "язык"},
    {msg::word_param_alphabet, "alphabet", "алфавит"},
    {msg::word_param_kind, "kind of statement", "вид отчёта"},
    {msg::word_param_months, "number of months", "количество месяцев"},
    {msg::word_param_tariff, "tariff", "тариф"},
    {msg::word_param_service, "service", "услуга"},
    {msg::word_param_package, "package", "пакет"},
    {msg::word_param_password, "password", "пароль"},
    {msg::word_param_code, "PIN or PUK code", "PIN- или PUK-код"},
    {msg::word_param_other, "a value is missing or wrong", "значение не указано или неверно"},
    {msg::line_archive, "{time} {title}: {result}", "{time} {title}: {result}"},
    {msg::line_archive_amount, "{time} {title}: {result}, {amount} RUB",
     "{time} {title}: {result}, {amount} руб."},
    {msg::line_payment, "{time} {title}: {amount} RUB", "{time} {title}: {amount} руб."},
    {msg::line_payment_peer, "{time} {title} ({peer}): {amount} RUB",
     "{time} {title} ({peer}): {amount} руб."},
    {msg::title_alphabet_set, "Menu alphabet", "Алфавит меню"},
    {msg::title_app_link, "App link", "Ссылка на приложение"},
    {msg::title_archive_list, "Account history", "История действий"},
    {msg::title_balance, "Balance", "Баланс"},
    {msg::title_block_number, "Number blocking", "Блокировка номера"},
    {msg::title_blocking_fee, "Blocking fee", "Плата за блокировку"},
    {msg::title_bonus_balance, "Bonus points", "Бонусные баллы"},
    {msg::title_bonus_give, "Points gift", "Подарок баллов"},
    {msg::title_bonus_spend, "Bonus package", "Бонусный пакет"},
    {msg::title_details_order, "Statement order", "Заказ отчёта"},
    {msg::title_full_trust, "Full trust", "Полное доверие"},
    {msg::title_language_set, "Language", "Язык"},
    {msg::title_login_alerts, "Login alerts", "Оповещения о входе"},
    {msg::title_number_management, "Number management", "Управление номерами"},
    {msg::title_number_link, "Number linked", "Привязка номера"},
    {msg::title_number_unlink, "Number unlinked", "Отвязка номера"},
    {msg::title_linked_balances, "Linked numbers", "Привязанные номера"},
    {msg::title_password_check, "Login", "Вход в личный кабинет"},
    {msg::title_password_issue, "New password", "Новый пароль"},
    {msg::title_password_set, "Password change", "Смена пароля"},
    {msg::title_payment_history, "Payment history", "История платежей"},
    {msg::title_pin_change, "PIN change", "Смена PIN-кода"},
    {msg::title_profile, "Profile", "Профиль"},
    {msg::title_promised, "Promised payment", "Обещанный платёж"},
    {msg::title_promised_fee, "Promised payment fee", "Комиссия за обещанный платёж"},
    {msg::title_promised_repayment, "Promised payment repaid", "Погашение обещанного платежа"},
    {msg::title_puk_unblock, "PIN unblocking", "Разблокировка PIN-кода"},
    {msg::title_service_connect, "Service connection", "Подключение услуги"},
    {msg::title_service_disconnect, "Service disconnection", "Отключение услуги"},
    {msg::title_service_fee, "Service fee", "Плата за услугу"},
    {msg::title_services_list, "Services list", "Список услуг"},
    {msg::title_sms_archive_on, "SMS archive", "SMS-архив"},
    {msg::title_subscriber_add, "Number connected", "Подключение номера"},
    {msg::title_tariff_change, "Tariff change", "Смена тарифа"},
    {msg::title_tariff_change_fee, "Tariff change fee", "Плата за смену тарифа"},
    {msg::title_tariff_info, "Tariff information", "Информация о тарифе"},
    {msg::title_tariffs_list, "Tariffs list", "Список тарифов"},
    {msg::title_topup, "Top-up", "Пополнение"},
    {msg::title_transfer, "Money transfer", "Перевод денег"},
    {msg::title_transfer_in, "Transfer received", "Поступил перевод"},
    {msg::title_transfer_out, "Transfer sent", "Перевод отправлен"},
    {msg::title_trust_review, "Credit limit review", "Пересмотр кредитного лимита"},
    {msg::title_unblock_number, "Number unblocking", "Разблокировка номера"},
    {msg::title_other, "Other operation", "Другая операция"},
};

constexpr bool in_order() {
    int i = 0;
    for (const auto& r : table)
        if (static_cast<int>(r.id) != i++) return false;
    return i == static_cast<int>(msg::count_);
}
static_assert(in_order(), "one row per msg id, in enum order");

}  // namespace

std::string fill(std::string_view pattern, const std::map<std::string, std::string>& vars) {
    std::string out;
    out.reserve(pattern.size() + 32);
    for (std::size_t i = 0; i < pattern.size();) {
        if (pattern[i] == '{') {
            auto close = pattern.find('}', i + 1);
            if (close != std::string_view::npos) {
                auto it = vars.find(std::string(pattern.substr(i + 1, close - i - 1)));
                if (it != vars.end()) {
                    out += it->second;
                    i = close + 1;
                    continue;
                }
            }
        }
        out += pattern[i++];
    }
    return out;
}

namespace {

// Russian (and English) typography: a sentence that ends in an abbreviation
// takes no second full stop, so a value such as "99,00 руб./мес." placed
// before a text's own "." must not leave "..". An ellipsis stays.
std::string single_stops(std::string s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '.' && i + 1 < s.size() && s[i + 1] == '.') {
            std::size_t run = i;
            while (run < s.size() && s[run] == '.') ++run;
            if (run - i == 2) {
                out += '.';
                i = run - 1;
                continue;
            }
            out.append(s, i, run - i);
            i = run - 1;
            continue;
        }
        out += s[i];
    }
    return out;
}

}  // namespace

std::string text(msg id, std::string_view language,
                 const std::map<std::string, std::string>& vars) {
    const auto& r = table[static_cast<std::size_t>(id)];
    return single_stops(fill(language == "ru" ? r.ru : r.en, vars));
}

}  // namespace ussdgw::actions
