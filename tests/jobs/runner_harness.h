#pragma once
// Test support for the job loop: a scripted portal behind fake browsers
// (outcomes by client and attempt, throws, timeouts) and a Harness that
// runs a Runner over it with a real SQLite store. Shared by the runner's
// test files.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <stdexcept>
#include <thread>

#include "../store/store_test_support.h"
#include "fake_slots.h"
#include "jobs/runner.h"
#include "log_capture.h"

namespace boletos::jobs::testing {

using store::testing::OpenStore;
using store::testing::TempDir;

// What the portal answers, attempt by attempt (one lane: in order).
class ScriptedPortal {
 public:
  std::map<std::string, int> fail_first;
  std::map<std::string, int> throw_first;  // attempts that throw instead of returning
  std::map<std::string, int> fail_calls;   // the first N calls for the id fail, whatever their attempt number
  bool fail_everything = false;
  int time_out_first = 0;  // the run's first attempts, whoever they are, time out
  ErrorKind fail_kind = ErrorKind::kPortalError;
  std::vector<std::string> attempts;  // ids in the order attempted
  std::function<void()> on_attempt;

  AttemptResult Answer(const FakeAttempt& a) {
    attempts.push_back(a.id);
    if (on_attempt) on_attempt();
    if (a.attempt <= throw_first[a.id]) {
      if (a.attempt % 2 == 0) throw std::runtime_error("type_error.302 near s3cret: type must be string");
      throw 42;  // not even a std::exception
    }
    if (static_cast<int>(attempts.size()) <= time_out_first) {
      return AttemptFailure{MakeError(ErrorKind::kTimeout, "scripted timeout"), false, false};
    }
    if (std::count(attempts.begin(), attempts.end(), a.id) <= fail_calls[a.id]) {
      return AttemptFailure{MakeError(fail_kind, "scripted failure"), false, false};
    }
    if (fail_everything || a.attempt <= fail_first[a.id]) {
      return AttemptFailure{MakeError(fail_kind, "scripted failure"), false, false};
    }
    return FakeDownload(a.id);
  }
};

struct Harness {
  TempDir dir;
  std::unique_ptr<store::Store> db = OpenStore(dir);
  ScriptedPortal portal;
  FakeLauncher launcher{[this](const FakeAttempt& a) { return portal.Answer(a); }};
  LogCapture log;
  std::atomic<bool> stop{false};
  int64_t browser_pss_kb = 100 * 1024;     // what a full read finds
  int64_t estimated_pss_kb = -1;           // >= 0: what a read that is not full estimates
  std::vector<bool> full_reads;            // one entry per reading, in order
  int memory_lines = 0;
  std::function<void()> on_wait;  // the Runner waits for a client in backoff

  RunnerEnvironment Env() {
    return RunnerEnvironment{
        [this] { return stop.load(); },
        [this](std::chrono::steady_clock::time_point t) {
          if (on_wait) on_wait();
          while (std::chrono::steady_clock::now() < t) {
            if (stop) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
          }
          return true;
        },
        [this](const std::vector<pid_t>&, bool full) {
          full_reads.push_back(full);
          MemoryReading m;
          m.browser_pss_estimated = !full && estimated_pss_kb >= 0;
          m.browser_pss_kb = m.browser_pss_estimated ? estimated_pss_kb : browser_pss_kb;
          m.worker_rss_kb = 10 * 1024;
          m.line = "memory: test";
          return m;
        },
        [] { return std::string("SIGTERM"); },
        [](const std::string& text) {
          std::string out = text;
          for (size_t at; (at = out.find("s3cret")) != std::string::npos;) out.replace(at, 6, "***");
          return out;
        },
        /*attempt_recorded=*/{}};
  }
  RunnerOptions Options() {
    RunnerOptions o;
    o.period = "2026-12";
    o.backoff.base = std::chrono::milliseconds(4);
    o.backoff.cap = std::chrono::milliseconds(16);
    return o;
  }
  RunEnd Run(RunnerOptions o) {
    auto run = db->BeginRun(o.period, 1, "test");
    EXPECT_TRUE(run.ok());
    Runner runner(o, *db, launcher, Env());
    RunEnd end = runner.Run(*run);
    EXPECT_TRUE(db->EndRun(*run, store::RunOutcome::kFinished, runner.summary()).ok());
    return end;
  }
  store::PeriodCounts Counts() { return db->Report("2026-12")->counts; }
};

// The export row of the client id for 2026-12.
inline store::ExportRow Row(store::Store& db, const std::string& id) {
  store::ExportRow found;
  EXPECT_TRUE(db.ForEachExportRow("2026-12", [&](const store::ExportRow& r) {
                  if (r.id == id) found = r;
                }).ok());
  return found;
}

}  // namespace boletos::jobs::testing
