#include "boleto/slip_reading.h"

#include <cstdio>

#include "boleto/due_date.h"
#include "boleto/linha.h"
#include "boleto/linha_scanner.h"
#include "boleto/printed_fields.h"

namespace boletos::boleto {
namespace {

std::string BrazilianDate(const CivilDate& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day, d.month, d.year);
  return buf;
}

}  // namespace

SlipReading ReadSlip(std::string_view text, const CivilDate& reference) {
  SlipReading r;
  LinhaScan scan = ScanForLinhas(text);

  std::optional<CivilDate> line_due;
  std::optional<long long> line_cents;
  if (scan.found.empty()) {
    r.warnings.push_back("no valid linha digitável found" + (scan.near_miss.empty() ? "" : " (" + scan.near_miss + ")"));
  } else {
    const Linha& linha = scan.found.front().linha;
    r.linha = linha.digits;
    r.barcode = linha.barcode;
    r.bank = BankCode(linha);
    line_cents = AmountCents(linha);
    if (auto factor = DueFactor(linha)) line_due = DueDateFromFactor(*factor, reference);
    if (scan.found.size() > 1) {
      r.warnings.push_back("the text holds " + std::to_string(scan.found.size()) +
                           " different valid linhas digitáveis; used the first, " + linha.digits);
    }
  }

  std::optional<CivilDate> printed_due = FindPrintedDueDate(text);
  if (printed_due && line_due && *printed_due != *line_due) {
    r.warnings.push_back("the printed Vencimento " + BrazilianDate(*printed_due) +
                         " disagrees with the linha digitável's due date " + IsoDate(*line_due) +
                         "; kept the printed date");
  }
  if (printed_due) {
    r.due_date = IsoDate(*printed_due);
  } else if (line_due) {
    r.due_date = IsoDate(*line_due);
  }

  std::optional<long long> printed_cents = FindPrintedAmountCents(text);
  if (printed_cents && line_cents && *printed_cents != *line_cents) {
    r.warnings.push_back("the printed Valor " + PrintedAmount(*printed_cents) +
                         " disagrees with the linha digitável's amount " + AmountText(*line_cents) +
                         "; kept the printed amount");
  }
  if (printed_cents) {
    r.amount = AmountText(*printed_cents);
  } else if (line_cents) {
    r.amount = AmountText(*line_cents);
  }
  return r;
}

}  // namespace boletos::boleto
