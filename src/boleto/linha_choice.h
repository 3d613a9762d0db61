#pragma once
// Which of the lines found in a slip's text the slip means. A misread line
// can pass every check digit: a bank line's 5th group (due-date factor and
// amount) is covered only by the general mod-11 digit, so about one
// misreading in eleven passes. The printed Vencimento and Valor are what a
// person checks a line against, so they decide before the reading's fit.

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "boleto/civil_date.h"
#include "boleto/linha_scanner.h"

namespace boletos::boleto {

// What the slip prints beside its labels (printed_fields.h); either may be absent.
struct PrintedFacts {
  std::optional<CivilDate> due;
  std::optional<long long> cents;
  // Every amount printed anywhere: a line whose amount is among them agrees
  // with the slip even when the "Valor" label led to another figure (an
  // instruction's "cobrar o valor de R$ 1,00").
  std::vector<long long> anywhere_cents;

  bool PrintsAnywhere(long long cents) const {
    return std::find(anywhere_cents.begin(), anywhere_cents.end(), cents) != anywhere_cents.end();
  }
};

struct LinhaChoice {
  const FoundLinha* chosen = nullptr;  // into the scan's list; nullptr when no line may be used
  std::vector<std::string> warnings;
};

// found: the scanner's lines, best fit first. reference: a day in the period
// being fetched (reads the due-date factor, due_date.h). A line that
// disagrees with both printed facts is never chosen. Among the others the
// one that agrees with more of them (less disagreement) wins, then the better
// fit, then the first. Warnings: the winner's equals ("N different valid
// linhas digitáveis; used the first, ..."), or, when every line was refused,
// which line disagreed with what.
LinhaChoice ChooseLinha(const std::vector<FoundLinha>& found, const PrintedFacts& printed,
                        const CivilDate& reference);

}  // namespace boletos::boleto
