#include "boleto/slip_reading.h"

#include "boleto/due_date.h"
#include "boleto/linha.h"
#include "boleto/linha_choice.h"
#include "boleto/linha_scanner.h"
#include "boleto/printed_fields.h"

namespace boletos::boleto {
namespace {

// The printed value wins (it is what the payer sees); the line's fills in
// when nothing was printed; a disagreement is a warning worded by
// disagreement(printed, line). "" when neither is known.
template <typename T, typename Wording>
std::string Reconcile(const std::optional<T>& printed, const std::optional<T>& line, std::string (*as_text)(T),
                      Wording disagreement, std::vector<std::string>& warnings) {
  if (printed && line && *printed != *line) warnings.push_back(disagreement(*printed, *line));
  if (printed) return as_text(*printed);
  if (line) return as_text(*line);
  return "";
}

std::string DateText(CivilDate date) { return IsoDate(date); }

}  // namespace

SlipReading ReadSlip(std::string_view text, const CivilDate& reference) {
  SlipReading r;
  LinhaScan scan = ScanForLinhas(text);
  PrintedFacts printed{FindPrintedDueDate(text), FindPrintedAmountCents(text), AllPrintedAmounts(text)};

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

  // A "Valor" label can lead to another figure (an instruction's "cobrar o
  // valor de R$ 1,00"): when the line's own amount is printed anywhere on
  // the slip, the slip agrees with the line. Not so for dates: a slip prints
  // several (document, processing), and SPEC.md lets the printed
  // "Vencimento" win over the line's.
  if (line_cents && printed.PrintsAnywhere(*line_cents)) printed.cents = line_cents;

  r.due_date = Reconcile(printed.due, line_due, DateText, [](const CivilDate& p, const CivilDate& l) {
    return "the printed Vencimento " + BrazilianDate(p) + " disagrees with the linha digitável's due date " +
           IsoDate(l) + "; kept the printed date";
  }, r.warnings);
  r.amount = Reconcile(printed.cents, line_cents, AmountText, [](long long p, long long l) {
    return "the printed Valor " + PrintedAmount(p) + " disagrees with the linha digitável's amount " +
           AmountText(l) + "; kept the printed amount";
  }, r.warnings);
  return r;
}

}  // namespace boletos::boleto
