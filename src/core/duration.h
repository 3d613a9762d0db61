#pragma once
// Durations as users write them: a number with a unit (500ms, 30s, 5m, 1h).

#include <chrono>
#include <string>

#include "core/result.h"

namespace boletos {

// Parses "500ms", "30s", "5m", "1h" (also "1.5s"). A bare number, a negative
// value or an unknown unit is kBadInput with a message that shows the form.
Result<std::chrono::milliseconds> ParseDuration(const std::string& text);

// "1.5s", "250ms", "2m" - for messages and logs.
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace boletos
