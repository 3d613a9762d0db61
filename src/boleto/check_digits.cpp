#include "boleto/check_digits.h"

namespace boletos::boleto {
namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Sum of digit * weight, weights 2..9 cycling from the rightmost digit.
int WeightedSum2To9(std::string_view digits) {
  int sum = 0, weight = 2;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    sum += (*it - '0') * weight;
    weight = weight == 9 ? 2 : weight + 1;
  }
  return sum;
}

}  // namespace

int Mod10(std::string_view digits) {
  if (!AllDigits(digits)) return -1;
  int sum = 0, weight = 2;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int p = (*it - '0') * weight;
    sum += p / 10 + p % 10;
    weight = weight == 2 ? 1 : 2;
  }
  return (10 - sum % 10) % 10;
}

int Mod11Bank(std::string_view digits) {
  if (!AllDigits(digits)) return -1;
  int dv = 11 - WeightedSum2To9(digits) % 11;
  return (dv == 0 || dv == 10 || dv == 11) ? 1 : dv;
}

int Mod11Collection(std::string_view digits) {
  if (!AllDigits(digits)) return -1;
  int rest = WeightedSum2To9(digits) % 11;
  return rest <= 1 ? 0 : 11 - rest;
}

}  // namespace boletos::boleto
