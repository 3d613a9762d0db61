#pragma once
// A string as a JavaScript literal, for the scripts the pages evaluate: a
// JSON string is one, and JSON escapes every quote, backslash and control
// character, so a selector or a typed value can never end the literal.

#include <string>

#include <nlohmann/json.hpp>

namespace boletos::cdp {

inline std::string JsQuote(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace boletos::cdp
