#pragma once
// Finding the linha digitável in a slip's extracted text. PDF text comes in
// printed groups ("23790.10107 90000.000001 61032.644603 2 95600000010000"),
// split over lines, as one bare run of digits, and among other numbers
// (agency, nosso número, CPF, dates). No single regex survives that, so the
// scanner joins digit groups separated only by spaces, line breaks, dots or
// hyphens into chains and keeps the 47/48-digit windows of a chain whose
// check digits hold (linha.h).

#include <string>
#include <string_view>
#include <vector>

#include "boleto/linha.h"

namespace boletos::boleto {

struct LinhaScan {
  // Distinct valid lines in order of appearance. Windows that start and end
  // on group boundaries are preferred; only when there is none does the
  // scanner accept a window with one end glued to other digits.
  std::vector<Linha> found;
  // When nothing was found: why the first chain of exactly 47 or 48 digits
  // (the shape of a linha) was refused, e.g. "field 2 check digit is ...".
  std::string near_miss;
};

// Any bytes in (UTF-8 or not); never throws; time linear in text.size().
LinhaScan ScanForLinhas(std::string_view text);

}  // namespace boletos::boleto
