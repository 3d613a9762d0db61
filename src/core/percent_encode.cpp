#include "core/percent_encode.h"

namespace boletos {

std::string PercentEncode(std::string_view value, std::string_view keep, bool lower_hex, bool plus_for_space) {
  const char* hex = lower_hex ? "0123456789abcdef" : "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    bool kept = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                keep.find(static_cast<char>(c)) != std::string_view::npos;
    if (kept) {
      out += static_cast<char>(c);
    } else if (c == ' ' && plus_for_space) {
      out += '+';
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace boletos
