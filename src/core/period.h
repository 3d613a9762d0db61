#pragma once
// A billing period: a year and a month, written YYYY-MM.

#include <string>

#include "core/result.h"

namespace boletos {

struct Period {
  int year = 0;
  int month = 0;  // 1..12

  // "2026-12"
  std::string ToString() const;
  // The month's name in Portuguese, upper case, without accents: "DEZEMBRO", "MARCO".
  std::string MonthName() const;
  // The first day of the month, days since 1970-01-01 (for due-date plausibility).
  long DaysSinceEpoch() const;
  bool operator==(const Period& o) const { return year == o.year && month == o.month; }
};

// "2026-12" -> Period; anything else is kBadInput naming the expected form.
Result<Period> ParsePeriod(const std::string& text);

// The current month in local time.
Period CurrentPeriod();

}  // namespace boletos
