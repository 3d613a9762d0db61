#pragma once
// Test support for the job loop: a scripted worker (outcomes by client and
// attempt, throws, timeouts) and a Harness that runs a Runner over it with a
// real SQLite store. Shared by the runner's test files.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <stdexcept>
#include <thread>

#include "../store/store_test_support.h"
#include "jobs/runner.h"

namespace boletos::jobs::testing {

using store::testing::OpenStore;
using store::testing::TempDir;

class ScriptedWorker : public ClientWorker {
 public:
  std::map<std::string, int> fail_first;
  std::map<std::string, int> throw_first;  // attempts that throw instead of returning
  std::map<std::string, int> fail_calls;   // the first N calls for the id fail, whatever their attempt number
  bool fail_everything = false;
  int time_out_first = 0;  // the run's first attempts, whoever they are, time out
  ErrorKind fail_kind = ErrorKind::kPortalError;
  std::vector<std::string> attempts;  // ids in the order attempted
  std::vector<std::string> recycle_reasons;
  std::function<void()> on_attempt;
  int downloads = 0;

  AttemptResult Attempt(const store::WorkItem& item, int attempt) override {
    attempts.push_back(item.client.id);
    if (on_attempt) on_attempt();
    if (attempt <= throw_first[item.client.id]) {
      if (attempt % 2 == 0) throw std::runtime_error("type_error.302 near s3cret: type must be string");
      throw 42;  // not even a std::exception
    }
    if (static_cast<int>(attempts.size()) <= time_out_first) {
      return AttemptFailure{MakeError(ErrorKind::kTimeout, "scripted timeout"), false, false};
    }
    if (std::count(attempts.begin(), attempts.end(), item.client.id) <= fail_calls[item.client.id]) {
      return AttemptFailure{MakeError(fail_kind, "scripted failure"), false, false};
    }
    if (fail_everything || attempt <= fail_first[item.client.id]) {
      return AttemptFailure{MakeError(fail_kind, "scripted failure"), false, false};
    }
    ++downloads;
    AttemptSuccess s;
    s.download.file = "2026-12/" + item.client.id + ".pdf";
    s.download.bytes = 100;
    s.download.sha256 = std::string(64, 'a');
    return s;
  }
  void Recycle(const std::string& reason) override {
    recycle_reasons.push_back(reason);
    downloads = 0;
  }
  int downloads_since_start() const override { return downloads; }
  int browser_restarts() const override { return 0; }
  pid_t browser_pid() const override { return 4242; }
  void Abandon() override {}
  void Shutdown() override {}
};

struct Harness {
  TempDir dir;
  std::unique_ptr<store::Store> db = OpenStore(dir);
  ScriptedWorker worker;
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
        }};
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
    Runner runner(o, *db, worker, Env());
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
