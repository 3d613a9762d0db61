#pragma once
// Logging: human lines or one JSON object per line on stdout, every message
// passed through the Redactor first, flushed at once (a killed process
// leaves every line it wrote).

#include <string>

#include "core/redactor.h"

namespace boletos::ops {

enum class LogFormat { kText, kJson };

// Replaces spdlog's default logger. The redactor must outlive logging.
void SetupLogging(LogFormat format, const Redactor* redactor);

}  // namespace boletos::ops
