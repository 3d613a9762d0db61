#pragma once
// ReadSlip: everything boletos reads from a slip's text, as the export
// writes it. Pure: text in, facts out; no PDF, browser or database.

#include <string>
#include <string_view>
#include <vector>

#include "boleto/civil_date.h"

namespace boletos::boleto {

struct SlipReading {
  std::string linha;     // digits only, 47 or 48; "" when none was found
  std::string barcode;   // 44 digits, or ""
  std::string bank;      // 3 digits for a bank slip, else ""
  std::string amount;    // "109.51", or ""
  std::string due_date;  // "2026-12-10", or ""
  std::vector<std::string> warnings;
};

// reference: a day in the period being fetched; the due-date factor is
// read as the date nearest it (the factor restarted at 1000 on 2025-02-22).
// Never fails: a slip without a valid line gives the warning
// "no valid linha digitável found" (with the reason when a line-shaped run
// failed its check digits), and whatever the printed labels say.
// Of several valid readings of the line, the printed "Vencimento" and
// "Valor" pick one, and a reading that disagrees with both is not used
// (linha_choice.h). They win over the chosen line when both are present and
// disagree, with a warning naming both values.
SlipReading ReadSlip(std::string_view text, const CivilDate& reference);

}  // namespace boletos::boleto
