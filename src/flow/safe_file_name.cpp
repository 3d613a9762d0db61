#include "flow/safe_file_name.h"

#include <cstring>

namespace boletos::flow {
namespace {

constexpr size_t kMaxBytes = 200;

// Cuts s to at most n bytes on a UTF-8 character boundary.
std::string CutUtf8(const std::string& s, size_t n) {
  if (s.size() <= n) return s;
  size_t end = n;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

}  // namespace

std::string SafeFileName(const std::string& rendered) {
  std::string out;
  bool last_was_space = false;
  for (unsigned char c : rendered) {
    bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space) {
      if (!last_was_space) out += '_';
      last_was_space = true;
      continue;
    }
    last_was_space = false;
    if (c < 0x20 || c == 0x7f || std::strchr("/\\:*?\"<>|", c)) out += '_';
    else out += static_cast<char>(c);
  }
  size_t a = out.find_first_not_of("._ ");
  size_t b = out.find_last_not_of(". ");
  out = (a == std::string::npos) ? "" : out.substr(a, b - a + 1);
  if (out.empty() || out == "pdf") out = "boleto" + std::string(out.empty() ? "" : "_pdf");

  std::string ext;
  auto dot = out.rfind('.');
  if (dot != std::string::npos && out.size() - dot <= 8) {
    ext = out.substr(dot);
    out = out.substr(0, dot);
  }
  return CutUtf8(out, kMaxBytes - ext.size()) + ext;
}

}  // namespace boletos::flow
