#include "boleto/slip_reading.h"

#include "boleto/due_date.h"
#include "boleto/linha.h"
#include "boleto/linha_choice.h"
#include "boleto/linha_scanner.h"
#include "boleto/printed_fields.h"

namespace boletos::boleto {

SlipReading ReadSlip(std::string_view text, const CivilDate& reference) {
  SlipReading r;
  LinhaScan scan = ScanForLinhas(text);
  PrintedFacts printed{FindPrintedDueDate(text), FindPrintedAmountCents(text)};

  std::optional<CivilDate> line_due;
  std::optional<long long> line_cents;
  if (scan.found.empty()) {
    r.warnings.push_back("no valid linha digitável found" + (scan.near_miss.empty() ? "" : " (" + scan.near_miss + ")"));
  } else {
    LinhaChoice choice = ChooseLinha(scan.found, printed, reference);
    if (choice.chosen) {
      const Linha& linha = choice.chosen->linha;
      r.linha = linha.digits;
      r.barcode = linha.barcode;
      r.bank = BankCode(linha);
      line_cents = AmountCents(linha);
      if (auto factor = DueFactor(linha)) line_due = DueDateFromFactor(*factor, reference);
    }
    r.warnings.insert(r.warnings.end(), choice.warnings.begin(), choice.warnings.end());
  }

  if (printed.due && line_due && *printed.due != *line_due) {
    r.warnings.push_back("the printed Vencimento " + BrazilianDate(*printed.due) +
                         " disagrees with the linha digitável's due date " + IsoDate(*line_due) +
                         "; kept the printed date");
  }
  if (printed.due) {
    r.due_date = IsoDate(*printed.due);
  } else if (line_due) {
    r.due_date = IsoDate(*line_due);
  }

  if (printed.cents && line_cents && *printed.cents != *line_cents) {
    r.warnings.push_back("the printed Valor " + PrintedAmount(*printed.cents) +
                         " disagrees with the linha digitável's amount " + AmountText(*line_cents) +
                         "; kept the printed amount");
  }
  if (printed.cents) {
    r.amount = AmountText(*printed.cents);
  } else if (line_cents) {
    r.amount = AmountText(*line_cents);
  }
  return r;
}

}  // namespace boletos::boleto
