#pragma once
// The bank slip's due-date factor: days since 1997-10-07 (factor 1000 was
// 2000-07-03). It reached 9999 on 2025-02-21 and restarted at 1000 on
// 2025-02-22, so every factor from 1000 names one day every 9000 days; the
// reader picks the one nearest a reference day (the period being fetched).

#include <optional>

#include "boleto/civil_date.h"

namespace boletos::boleto {

// factor 0 means "no due date" and gives nullopt; so does anything outside
// 0..9999. Factors 1..999 only ever named days before 2000-07-03.
std::optional<CivilDate> DueDateFromFactor(int factor, const CivilDate& reference);

// The factor printed for a due date (1000..9999 from 2000-07-03 on);
// nullopt before 1997-10-08, where no factor exists.
std::optional<int> FactorFromDueDate(const CivilDate& due);

}  // namespace boletos::boleto
