#pragma once
// Logging: human lines or one JSON object per line on stdout, every message
// passed through the Redactor first, flushed at once (a killed process
// leaves every line it wrote). On a terminal, a status line may stay below
// the log lines (the run's progress).

#include <string>

#include "core/redactor.h"

namespace boletos::ops {

enum class LogFormat { kText, kJson };

// Replaces spdlog's default logger. The redactor must outlive logging.
void SetupLogging(LogFormat format, const Redactor* redactor);

// Whether the log is human lines on a terminal: only then is there a
// status line (SetupLogging decides, from isatty(stdout)).
bool LogsToTerminal();
// The terminal's last line, kept below the log: each log line is written
// above it and it is drawn again. Empty: none. Does nothing unless
// LogsToTerminal(). Thread-safe.
void SetStatusLine(const std::string& text);

}  // namespace boletos::ops
