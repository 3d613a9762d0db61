#include "core/period.h"

#include <cstdio>
#include <ctime>

namespace boletos {

std::string Period::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", year, month);
  return buf;
}

std::string Period::MonthName() const {
  static const char* kNames[] = {"JANEIRO", "FEVEREIRO", "MARCO",    "ABRIL",   "MAIO",     "JUNHO",
                                 "JULHO",   "AGOSTO",    "SETEMBRO", "OUTUBRO", "NOVEMBRO", "DEZEMBRO"};
  return (month >= 1 && month <= 12) ? kNames[month - 1] : "";
}

long Period::DaysSinceEpoch() const {
  // Howard Hinnant's days_from_civil.
  int y = year - (month <= 2);
  int era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned m = static_cast<unsigned>(month);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097L + static_cast<long>(doe) - 719468L;
}

Result<Period> ParsePeriod(const std::string& text) {
  int y = 0, m = 0;
  char tail = 0;
  if (text.size() != 7 || std::sscanf(text.c_str(), "%4d-%2d%c", &y, &m, &tail) != 2 || text[4] != '-' ||
      y < 1990 || y > 2200 || m < 1 || m > 12) {
    return MakeError(ErrorKind::kBadInput, "period '" + text + "' is not of the form YYYY-MM (e.g. 2026-12)");
  }
  return Period{y, m};
}

Period CurrentPeriod() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return Period{tm.tm_year + 1900, tm.tm_mon + 1};
}

}  // namespace boletos
