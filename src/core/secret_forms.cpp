#include "core/secret_forms.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "core/html_escape.h"
#include "core/percent_encode.h"

namespace boletos {
namespace {

// The inside of a JSON string; ascii_only: non-ASCII as \uXXXX (UTF-16).
std::string JsonEscaped(const std::string& s, bool ascii_only) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char buf[16];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else if (c >= 0x80 && ascii_only) {
      // Decode one UTF-8 sequence (the secret came in as UTF-8).
      int len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      if (i + static_cast<size_t>(len) > s.size()) return "";
      uint32_t cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
      for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      i += static_cast<size_t>(len - 1);
      if (cp >= 0x10000) {
        cp -= 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      }
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Base64(const std::string& s, bool url_safe, bool pad) {
  const char* alphabet = url_safe ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                  : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8) |
                 static_cast<unsigned char>(s[i + 2]);
    for (int k = 3; k >= 0; --k) out += alphabet[(v >> (6 * k)) & 63];
  }
  size_t rest = s.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<unsigned char>(s[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(s[i + 1]) << 8;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    if (rest == 2) out += alphabet[(v >> 6) & 63];
    if (pad) out += rest == 2 ? "=" : "==";
  }
  return out;
}

}  // namespace

std::vector<std::string> SecretForms(const std::string& secret) {
  std::vector<std::string> forms = {secret};
  auto add = [&](std::string form) {
    if (!form.empty() && std::find(forms.begin(), forms.end(), form) == forms.end()) forms.push_back(std::move(form));
  };
  for (bool lower : {false, true}) {
    add(PercentEncode(secret, "-._~", lower, false));          // RFC 3986
    add(PercentEncode(secret, "-._~!*'()", lower, false));     // encodeURIComponent
    add(PercentEncode(secret, "-._~!*'()", lower, true));      // a form's body
    add(PercentEncode(secret, "-._*", lower, true));           // application/x-www-form-urlencoded (WHATWG)
  }
  add(JsonEscaped(secret, false));
  add(JsonEscaped(secret, true));
  // A short secret's base64 (4 characters for 3 bytes) turns up by chance
  // in other base64 (an inline image in a failure page): not masked.
  if (secret.size() >= 6) {
    for (bool url_safe : {false, true}) {
      for (bool pad : {true, false}) add(Base64(secret, url_safe, pad));
    }
  }
  add(HtmlEscape(secret));
  return forms;
}

}  // namespace boletos
