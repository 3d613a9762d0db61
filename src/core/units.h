#pragma once
// Figures as the logs, the summary and the status page print them.

#include <chrono>
#include <cstdint>
#include <string>

namespace boletos {

// "12.3 MB" (kB / 1024, one decimal); "unknown" for a negative figure.
std::string Megabytes(int64_t kb);
// A steady-clock span in seconds.
double Seconds(std::chrono::steady_clock::duration d);

}  // namespace boletos
