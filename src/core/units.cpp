#include "core/units.h"

#include <cstdio>

namespace boletos {

std::string Megabytes(int64_t kb) {
  if (kb < 0) return "unknown";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(kb) / 1024.0);
  return buf;
}

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace boletos
