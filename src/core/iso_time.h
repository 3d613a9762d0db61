#pragma once
// Timestamps as the store and the JSON log write them: ISO 8601, UTC, milliseconds
// ("2026-12-03T14:05:09.123Z"). Text of this fixed form sorts by time.

#include <chrono>
#include <string>

namespace boletos {

std::string IsoTime(std::chrono::system_clock::time_point t);
std::string NowIso();

}  // namespace boletos
