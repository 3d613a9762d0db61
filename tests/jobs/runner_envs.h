#pragma once
// Memory readings for the job loop's tests of several tabs: a quiet one,
// and a roomy one that records which browser groups each reading covered.

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "jobs/runner.h"

namespace boletos::jobs::testing {

inline RunnerEnvironment QuietEnv() {
  return RunnerEnvironment{
      [] { return false; },
      [](std::chrono::steady_clock::time_point t) {
        std::this_thread::sleep_until(t);
        return true;
      },
      [](const std::vector<pid_t>&, bool) {
        MemoryReading m;
        m.browser_pss_kb = 100 * 1024;
        m.worker_rss_kb = 10 * 1024;
        m.line = "memory: test";
        return m;
      },
      [] { return std::string("SIGTERM"); }, /*redact=*/{}, /*attempt_recorded=*/{}};
}

// Readings of a browser of 100 MB PSS, 20 MB of it its own (anonymous),
// and a worker of 10 MB; the browser groups each reading was asked for.
// The pool lists the current browser first; a later one listed after it is
// starting ahead, an earlier one was moved on from (fake pids grow with
// each start: FakeLauncher::PidOf).
struct RoomyEnv {
  int64_t own_kb = 20 * 1024;
  int64_t with_retired_kb = 100 * 1024;  // the tree's PSS while a browser retires
  std::mutex mu;
  std::set<std::vector<pid_t>> groups_read;
  RunnerEnvironment Env() {
    RunnerEnvironment env = QuietEnv();
    env.sample_memory = [this](const std::vector<pid_t>& groups, bool) {
      std::lock_guard<std::mutex> lock(mu);
      groups_read.insert(groups);
      MemoryReading m;
      bool retiring = std::any_of(groups.begin(), groups.end(), [&](pid_t g) { return g < groups.front(); });
      m.browser_pss_kb = retiring ? with_retired_kb : 100 * 1024;
      m.browser_pss_own_kb = own_kb;
      m.worker_rss_kb = 10 * 1024;
      return m;
    };
    return env;
  }
};

}  // namespace boletos::jobs::testing
