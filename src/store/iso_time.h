#pragma once
// Timestamps as the store writes them: ISO 8601, UTC, milliseconds
// ("2026-12-03T14:05:09.123Z"). Text of this fixed form sorts by time.

#include <chrono>
#include <string>

namespace boletos::store {

std::string IsoTime(std::chrono::system_clock::time_point t);
std::string NowIso();

}  // namespace boletos::store
