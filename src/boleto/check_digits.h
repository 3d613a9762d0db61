#pragma once
// The FEBRABAN check-digit rules. Each takes ASCII digits only and returns
// the check digit (0..9), or -1 when the input is empty or holds anything
// but digits (so a caller can never mistake garbage for a valid digit).

#include <string_view>

namespace boletos::boleto {

// Modulo 10, weights 2,1,2,1... from the right, products' digits summed;
// DV = (10 - sum % 10) % 10. Bank-slip fields and collection slips whose
// value-reference digit is 6 or 7.
int Mod10(std::string_view digits);

// Modulo 11 of the bank slip's general check digit (barcode position 5):
// weights 2..9 from the right, DV = 11 - sum % 11, and 0, 10, 11 become 1.
int Mod11Bank(std::string_view digits);

// Modulo 11 of collection slips (value-reference digit 8 or 9): weights
// 2..9 from the right; remainder 0 or 1 gives 0, otherwise 11 - remainder.
int Mod11Collection(std::string_view digits);

}  // namespace boletos::boleto
