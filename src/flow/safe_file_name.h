#pragma once
// File names made safe for any file system from a rendered `output:`.

#include <string>

namespace boletos::flow {

// Keeps letters of any script (UTF-8 stays whole) and common punctuation;
// replaces / \ : * ? " < > | and control characters with '_', turns runs of
// white space into one '_', trims dots and spaces at the ends, never returns
// "", "." or "..", and keeps at most 200 bytes without cutting a character,
// the extension (".pdf") kept.
std::string SafeFileName(const std::string& rendered);

}  // namespace boletos::flow
