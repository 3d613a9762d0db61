#include "boleto/due_date.h"

#include <cstdlib>

namespace boletos::boleto {
namespace {

const long kBase = DaysFromCivil({1997, 10, 7});
constexpr long kCycle = 9000;  // factors 1000..9999, then again

}  // namespace

std::optional<CivilDate> DueDateFromFactor(int factor, const CivilDate& reference) {
  if (factor <= 0 || factor > 9999) return std::nullopt;
  long best = kBase + factor;
  if (factor >= 1000) {
    long ref = DaysFromCivil(reference);
    // Step through the cycles while a later reading is nearer the reference.
    while (std::labs(best + kCycle - ref) < std::labs(best - ref)) best += kCycle;
  }
  return CivilFromDays(best);
}

std::optional<int> FactorFromDueDate(const CivilDate& due) {
  long days = DaysFromCivil(due) - kBase;
  if (days <= 0) return std::nullopt;
  if (days < 1000) return static_cast<int>(days);
  return static_cast<int>((days - 1000) % kCycle + 1000);
}

}  // namespace boletos::boleto
