#include "core/duration.h"

#include <cmath>
#include <cstdlib>

namespace boletos {

Result<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  auto bad = [&] {
    return MakeError(ErrorKind::kBadInput, "'" + text +
                                               "' is not a duration: write a number with a unit, "
                                               "like 500ms, 30s, 5m or 1h");
  };
  if (text.empty()) return bad();
  const char* begin = text.c_str();
  char* end = nullptr;
  double number = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(number) || number < 0) return bad();
  std::string unit(end);
  double factor = 0;
  if (unit == "ms") factor = 1;
  else if (unit == "s") factor = 1000;
  else if (unit == "m") factor = 60 * 1000;
  else if (unit == "h") factor = 3600 * 1000;
  else return bad();
  double ms = number * factor;
  if (ms > 1e12) return bad();
  return std::chrono::milliseconds(static_cast<long long>(std::llround(ms)));
}

std::string FormatDuration(std::chrono::milliseconds d) {
  long long ms = d.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  if (ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
  if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs", ms / 1000.0);
  return buf;
}

}  // namespace boletos
