#pragma once
// The digits of a text, in order: a CPF or CNPJ without its punctuation
// (158.813.998-03 -> 15881399803), for comparisons that ignore formatting.

#include <string>

namespace boletos {

inline std::string DigitsOnly(const std::string& s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9') d += c;
  }
  return d;
}

}  // namespace boletos
