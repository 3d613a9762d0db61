#pragma once
// Percent-encoding (RFC 3986): every byte outside the unreserved letters,
// digits and `keep` becomes %XX. Templates encode a client's data into URLs
// with it; the Redactor builds a secret's URL forms with it.

#include <string>
#include <string_view>

namespace boletos {

// keep: the punctuation left as is ("-._~" is RFC 3986's unreserved set);
// lower_hex: %2f rather than %2F; plus_for_space: ' ' as '+', as forms send it.
std::string PercentEncode(std::string_view value, std::string_view keep = "-._~", bool lower_hex = false,
                          bool plus_for_space = false);

}  // namespace boletos
