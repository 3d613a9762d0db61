#include "boleto/linha_scanner.h"

#include <algorithm>

namespace boletos::boleto {
namespace {

// A run of digit groups with only separators between them.
struct Chain {
  std::string digits;
  std::vector<bool> boundary;  // boundary[i]: a group starts or ends at offset i
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// What may sit between the groups of one printed line. A comma, slash,
// letter or '$' ends the chain: amounts (1.234,56), dates and labels are
// other numbers, not parts of the line.
size_t SeparatorLength(std::string_view text, size_t i) {
  switch (text[i]) {
    case ' ': case '\t': case '\n': case '\r': case '\f': case '\v': case '.': case '-':
      return 1;
    default:
      break;
  }
  // U+00A0 NO-BREAK SPACE in UTF-8, which some generators print between groups.
  if (static_cast<unsigned char>(text[i]) == 0xC2 && i + 1 < text.size() &&
      static_cast<unsigned char>(text[i + 1]) == 0xA0) {
    return 2;
  }
  return 0;
}

std::vector<Chain> SplitIntoChains(std::string_view text) {
  std::vector<Chain> chains;
  Chain current;
  auto close = [&] {
    if (current.digits.size() >= 47) chains.push_back(std::move(current));
    current = Chain{};
  };
  for (size_t i = 0; i < text.size();) {
    if (IsDigit(text[i])) {
      if (current.boundary.empty()) current.boundary.push_back(true);
      current.boundary.back() = true;  // a group starts here
      while (i < text.size() && IsDigit(text[i])) {
        current.digits += text[i++];
        current.boundary.push_back(false);
      }
      current.boundary.back() = true;  // and ends here
      continue;
    }
    size_t sep = SeparatorLength(text, i);
    if (sep == 0) {
      close();
      sep = 1;
    }
    i += sep;
  }
  close();
  return chains;
}

// Cheap shape tests before the check digits: a bank slip in reais has
// currency code 9; a collection slip starts with 8 and its value-reference
// digit is 6..9. They cut false matches among unrelated numbers tenfold.
bool LooksLikeBank(std::string_view w) { return w[3] == '9'; }
bool LooksLikeCollection(std::string_view w) { return w[0] == '8' && w[2] >= '6' && w[2] <= '9'; }

// The valid line starting at `start` in chain c, 48 digits tried first
// (a collection slip also contains 47-digit windows); need_end_boundary
// asks that the window end where a group ends.
const Linha* TryAt(const Chain& c, size_t start, bool need_end_boundary, Linha* out) {
  for (size_t len : {48u, 47u}) {
    if (start + len > c.digits.size()) continue;
    if (need_end_boundary && !c.boundary[start + len]) continue;
    std::string_view w(c.digits.data() + start, len);
    if (len == 48 ? !LooksLikeCollection(w) : !LooksLikeBank(w)) continue;
    auto parsed = ParseLinha(w);
    if (parsed.ok()) {
      *out = std::move(parsed).value();
      return out;
    }
  }
  return nullptr;
}

void AddDistinct(LinhaScan& scan, Linha linha) {
  bool seen = std::any_of(scan.found.begin(), scan.found.end(),
                          [&](const Linha& l) { return l.digits == linha.digits; });
  if (!seen) scan.found.push_back(std::move(linha));
}

// strict: both ends on group boundaries; otherwise one end is enough.
void Scan(const std::vector<Chain>& chains, bool strict, LinhaScan& scan) {
  for (const Chain& c : chains) {
    size_t n = c.digits.size();
    for (size_t start = 0; start + 47 <= n;) {
      Linha linha;
      const Linha* hit = nullptr;
      if (c.boundary[start]) hit = TryAt(c, start, strict, &linha);
      if (!hit && !strict) {
        // Start glued to noise: the window must end where a group ends.
        for (size_t len : {48u, 47u}) {
          if (start + len <= n && c.boundary[start + len]) {
            std::string_view w(c.digits.data() + start, len);
            if (len == 48 ? !LooksLikeCollection(w) : !LooksLikeBank(w)) continue;
            auto parsed = ParseLinha(w);
            if (parsed.ok()) {
              linha = std::move(parsed).value();
              hit = &linha;
              break;
            }
          }
        }
      }
      if (hit) {
        start += hit->digits.size();
        AddDistinct(scan, std::move(linha));
      } else {
        ++start;
      }
    }
  }
}

}  // namespace

LinhaScan ScanForLinhas(std::string_view text) {
  LinhaScan scan;
  std::vector<Chain> chains = SplitIntoChains(text);
  Scan(chains, /*strict=*/true, scan);
  if (scan.found.empty()) Scan(chains, /*strict=*/false, scan);
  if (scan.found.empty()) {
    for (const Chain& c : chains) {
      if (c.digits.size() != 47 && c.digits.size() != 48) continue;
      auto parsed = ParseLinha(c.digits);
      if (!parsed.ok()) {
        scan.near_miss = "the " + std::to_string(c.digits.size()) + "-digit line " + c.digits + " does not check: " +
                         parsed.message();
        break;
      }
    }
  }
  return scan;
}

}  // namespace boletos::boleto
