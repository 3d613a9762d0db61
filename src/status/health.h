#pragma once
// The /healthz verdict: healthy while the loop is alive and not stuck (a
// client finished, or the worker is waiting for a run that is not overdue,
// within stuck_after, 5 minutes by default) and the browser is healthy (it
// did not die on the last attempts in a row, and the process tree is under
// --memory-limit). The text says why, so a 503 in a log is enough to act.

#include <chrono>
#include <string>

#include "status/live_status.h"

namespace boletos::status {

struct HealthPolicy {
  std::chrono::milliseconds stuck_after = std::chrono::minutes(5);
  int browser_deaths_in_a_row = 3;  // this many attempts in a row killed the browser
};

struct HealthVerdict {
  bool healthy = false;
  std::string text;  // "ok: ..." or what is wrong and what to look at
};

HealthVerdict JudgeHealth(const LiveSnapshot& s, const HealthPolicy& policy);

}  // namespace boletos::status
