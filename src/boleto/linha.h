#pragma once
// Linha: a linha digitável whose every check digit holds, with the barcode
// it encodes. Two kinds (FEBRABAN):
//   bank slip, 47 digits:  AAABC.CCCCX DDDDD.DDDDDY EEEEE.EEEEEZ K FFFFVVVVVVVVVV
//     fields 1-3 end in a mod-10 digit, K is the barcode's mod-11 digit,
//     FFFF the due-date factor, V the amount in cents;
//   collection slip, 48 digits starting with 8: four blocks of 11 digits,
//     each followed by its check digit; the 3rd digit (value reference)
//     picks the rule: 6/7 mod 10, 8/9 mod 11; the 4th is the general digit.

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace boletos::boleto {

enum class SlipKind { kBank, kCollection };

struct Linha {
  SlipKind kind = SlipKind::kBank;
  std::string digits;   // 47 or 48 digits, no punctuation
  std::string barcode;  // 44 digits
};

// digits: the line without punctuation. Checks the length (and that a bank
// line does not start with 8, the collection slips' mark), then every check
// digit in reading order. Errors (kBadInput) name the first thing wrong, e.g.
// "field 2 check digit is 4 but its digits give 7".
Result<Linha> ParseLinha(std::string_view digits);

// The inverse: a 44-digit barcode (its general check digit must hold) to
// its Linha, computing the field or block check digits. Errors: kBadInput.
Result<Linha> LinhaFromBarcode(std::string_view barcode);

// The bank code (3 digits) of a bank slip; "" for a collection slip.
std::string BankCode(const Linha& linha);

// The amount in cents the line carries; nullopt when it carries none (a
// bank slip with value 0, whose amount is open, or a collection slip whose
// value field is a reference, not reais: value-reference digit 7 or 9).
std::optional<long long> AmountCents(const Linha& linha);

// The bank slip's due-date factor (0 = no due date); nullopt for a collection slip.
std::optional<int> DueFactor(const Linha& linha);

// 10951 -> "109.51"; 5 -> "0.05".
std::string AmountText(long long cents);

}  // namespace boletos::boleto
