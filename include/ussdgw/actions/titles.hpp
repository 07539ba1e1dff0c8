#pragma once
// What subscribers read instead of identifiers: the title of an archived
// action ("password_set" -> "Password change") or of a payment kind
// ("service_fee" -> "Service fee"), the name of a language, the contents of a
// bonus package. Screens never show the names the store keeps.

#include <optional>
#include <string>
#include <string_view>

#include "ussdgw/actions/messages.hpp"
#include "ussdgw/actions/rules.hpp"

namespace ussdgw::actions {

/// The title of an archive row's action (registry names and the rows the
/// system writes: transfer_in, subscriber_add, service_fee, ...); nullopt
/// for a name without one.
std::optional<msg> action_title(std::string_view action);

/// The title of a payments row's kind (topup, transfer_out, service_fee, ...);
/// nullopt for a kind without one.
std::optional<msg> payment_title(std::string_view kind);

/// The action's title in `language`; "Other operation" when it has none, never the name.
std::string action_title_text(std::string_view action, std::string_view language);

/// The payment kind's title in `language`; "Other operation" when it has none.
std::string payment_title_text(std::string_view kind, std::string_view language);

/// "English" / "русский": the name of a language code in `language`.
std::string language_name(std::string_view code, std::string_view language);

/// What a bonus package holds, in `language`: "50 min", "1024 МБ".
std::string package_title(const bonus_package& p, std::string_view language);

/// What an argument is, for the bad_argument reason ("the amount").
std::string param_word(std::string_view param, std::string_view language);

}  // namespace ussdgw::actions
