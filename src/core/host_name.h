#pragma once
// This machine's name, as runs and locks record who holds them.

#include <string>

namespace boletos {

// gethostname(), or "unknown" when it fails.
std::string ThisHostName();

}  // namespace boletos
