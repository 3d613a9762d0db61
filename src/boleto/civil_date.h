#pragma once
// CivilDate: a calendar day (proleptic Gregorian), and the day arithmetic
// the due-date factor needs. No time zones: a boleto's dates are days.

#include <optional>
#include <string>
#include <string_view>

namespace boletos::boleto {

struct CivilDate {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31
  bool operator==(const CivilDate& o) const { return year == o.year && month == o.month && day == o.day; }
  bool operator!=(const CivilDate& o) const { return !(*this == o); }
};

// Days since 1970-01-01 (negative before). Defined for any valid date.
long DaysFromCivil(const CivilDate& d);
// The inverse of DaysFromCivil.
CivilDate CivilFromDays(long days);
// True when the day exists (2025-02-29 does not).
bool IsValidDate(const CivilDate& d);
// "2026-12-10"
std::string IsoDate(const CivilDate& d);
// "10/12/2026", the way a slip prints it (for warnings).
std::string BrazilianDate(const CivilDate& d);
// "10/12/2026" as printed on slips; nullopt unless exactly dd/mm/yyyy and a real day.
std::optional<CivilDate> ParseBrazilianDate(std::string_view text);

}  // namespace boletos::boleto
