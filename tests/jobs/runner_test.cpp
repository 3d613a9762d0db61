// The job loop against a real SQLite store and a scripted worker.

#include "jobs/runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <thread>

#include "../store/store_test_support.h"

using namespace boletos;
using namespace boletos::jobs;
using boletos::store::testing::Import;
using boletos::store::testing::OpenStore;
using boletos::store::testing::TempDir;

namespace {

// Succeeds or fails per a script: fail_first[id] = how many attempts fail.
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

TEST(Runner, DownloadsEveryPendingClientInStableOrder) {
  Harness h;
  Import(*h.db, {"c3", "c1", "c2"});
  EXPECT_EQ(h.Run(h.Options()), RunEnd::kFinished);
  EXPECT_EQ(h.worker.attempts, (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(h.Counts().done, 3);
}

TEST(Runner, AnAttemptThatThrowsIsAFailedAttemptWithItsMessageAndTheRunGoesOn) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3"});
  h.worker.throw_first["c2"] = 2;  // something that is no std::exception, then one that is
  auto o = h.Options();
  o.max_attempts = 2;
  EXPECT_EQ(h.Run(o), RunEnd::kSomeFailed);
  EXPECT_EQ(h.worker.attempts, (std::vector<std::string>{"c1", "c2", "c3", "c2"}));
  EXPECT_EQ(h.Counts().done, 2);
  EXPECT_EQ(h.Counts().failed, 1);
  auto report = h.db->Report("2026-12");
  ASSERT_TRUE(report.ok()) << report.message();
  ASSERT_EQ(report->recent_failures.size(), 1u);
  EXPECT_EQ(report->recent_failures[0].attempts, 2);
  // Its text went through the run's redactor.
  EXPECT_EQ(report->recent_failures[0].last_error.rfind(
                "the attempt stopped on an unexpected error: type_error.302 near ***: type must be string", 0),
            0u)
      << report->recent_failures[0].last_error;
}

TEST(Resume, ANextRunStartsAfterTheLastSuccessAndNeverDownloadsADoneClientAgain) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5"});
  auto o = h.Options();
  o.batch = 2;
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_EQ(h.worker.attempts, (std::vector<std::string>{"c1", "c2", "c3", "c4", "c5"}));
  h.worker.attempts.clear();
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_TRUE(h.worker.attempts.empty());
}

TEST(Retries, AFailingClientIsRetriedWithBackoffWithoutHoldingUpTheOthers) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3"});
  h.worker.fail_first["c1"] = 2;
  EXPECT_EQ(h.Run(h.Options()), RunEnd::kFinished);
  // c1 fails, the others go on, c1 comes back when its backoff has passed.
  ASSERT_GE(h.worker.attempts.size(), 5u);
  EXPECT_EQ(h.worker.attempts[0], "c1");
  EXPECT_EQ(h.worker.attempts[1], "c2");
  EXPECT_EQ(h.Counts().done, 3);
  auto rows = h.db->Report("2026-12");
  EXPECT_EQ(std::count(h.worker.attempts.begin(), h.worker.attempts.end(), "c1"), 3);
}

TEST(Retries, AClientThatKeepsFailingGivesUpAfterMaxAttemptsAndTheRunExitsOne) {
  Harness h;
  Import(*h.db, {"c1", "c2"});
  h.worker.fail_first["c1"] = 100;
  auto o = h.Options();
  o.max_attempts = 3;
  EXPECT_EQ(h.Run(o), RunEnd::kSomeFailed);
  EXPECT_EQ(std::count(h.worker.attempts.begin(), h.worker.attempts.end(), "c1"), 3);
  EXPECT_EQ(h.Counts().failed, 1);
  EXPECT_EQ(h.Counts().done, 1);
  // A later run does not take a client that has given up.
  h.worker.attempts.clear();
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_TRUE(h.worker.attempts.empty());
}

TEST(PortalDown, KConsecutiveFailuresStopTheRunInsteadOfBurningEveryonesAttempts) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"});
  h.worker.fail_everything = true;
  auto o = h.Options();
  o.max_consecutive_failures = 4;
  EXPECT_EQ(h.Run(o), RunEnd::kPortalDown);
  // 4 failures in the first browser, then a fresh one, which failed its 3
  // (min(K, N)) too: the portal, not the browser.
  ASSERT_EQ(h.worker.recycle_reasons.size(), 1u);
  EXPECT_EQ(h.worker.recycle_reasons[0], "4 consecutive failures: a fresh browser before the portal is judged down");
  EXPECT_EQ(h.worker.attempts.size(), 7u);
  EXPECT_EQ(h.Counts().failed, 0) << "nobody should have used up their attempts";
}

TEST(HungBrowser, KTimeoutsInARowReplaceTheBrowserAndTheRunGoesOn) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5"});
  h.worker.time_out_first = 3;  // then the fresh browser works
  auto o = h.Options();
  auto run = h.db->BeginRun(o.period, 1, "test");
  ASSERT_TRUE(run.ok());
  Runner runner(o, *h.db, h.worker, h.Env());
  EXPECT_EQ(runner.Run(*run), RunEnd::kFinished);
  EXPECT_EQ(h.worker.recycle_reasons,
            std::vector<std::string>{"the last 3 attempts in this browser timed out: it may be hung"});
  EXPECT_EQ(runner.totals().hung_browsers_replaced, 1);
  EXPECT_EQ(h.Counts().done, 5);
}

TEST(HungBrowser, TimeoutsBrokenByASuccessDoNotMakeABrowserHung) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5", "c6"});
  h.worker.time_out_first = 2;  // c1 and c2 time out, c3 passes,
  h.worker.fail_first["c4"] = 1;  // then c4 and c5 time out
  h.worker.fail_first["c5"] = 1;
  h.worker.fail_kind = ErrorKind::kTimeout;
  EXPECT_EQ(h.Run(h.Options()), RunEnd::kFinished);
  EXPECT_TRUE(h.worker.recycle_reasons.empty()) << h.worker.recycle_reasons.front();
  EXPECT_EQ(h.Counts().done, 6);
}

TEST(Stop, NoNewClientStartsAfterAStopRequest) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3"});
  h.worker.on_attempt = [&] { h.stop = true; };
  EXPECT_EQ(h.Run(h.Options()), RunEnd::kInterrupted);
  EXPECT_EQ(h.worker.attempts, std::vector<std::string>{"c1"});
}

TEST(Stop, AStopEndsABackoffWaitAtOnce) {
  Harness h;
  Import(*h.db, {"c1"});
  h.worker.fail_first["c1"] = 1;
  auto o = h.Options();
  o.backoff.base = std::chrono::seconds(30);
  o.backoff.cap = std::chrono::seconds(30);
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    h.stop = true;
  });
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(h.Run(o), RunEnd::kInterrupted);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST(Recycle, TheBrowserIsReplacedEveryNDownloads) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5"});
  auto o = h.Options();
  o.recycle_every = 2;
  h.Run(o);
  ASSERT_EQ(h.worker.recycle_reasons.size(), 2u);
  EXPECT_EQ(h.worker.recycle_reasons[0], "every 2 downloads");
}

TEST(Recycle, NoRecycleFollowsTheRunsLastClient) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4"});
  auto o = h.Options();
  o.recycle_every = 2;
  auto run = h.db->BeginRun(o.period, 1, "test");
  Runner runner(o, *h.db, h.worker, h.Env());
  EXPECT_EQ(runner.Run(*run), RunEnd::kFinished);
  // After c2 only: the browser c4 leaves behind goes at shutdown.
  EXPECT_EQ(h.worker.recycle_reasons, (std::vector<std::string>{"every 2 downloads"}));
  EXPECT_EQ(runner.totals().recycles, 1);
}

TEST(Recycle, TheBrowserIsReplacedEarlyOverTheSoftMemoryLimit) {
  Harness h;
  Import(*h.db, {"c1", "c2"});
  auto o = h.Options();
  o.memory_limit_mb = 200;  // soft limit 140 MB; the test browser reads 150 MB
  h.browser_pss_kb = 150 * 1024;
  h.Run(o);
  ASSERT_FALSE(h.worker.recycle_reasons.empty());
  EXPECT_NE(h.worker.recycle_reasons[0].find("over the soft limit"), std::string::npos)
      << h.worker.recycle_reasons[0];
}

TEST(Memory, ASampleIsStoredEveryNClients) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5", "c6"});
  auto o = h.Options();
  o.memory_log_every = 2;
  auto run = h.db->BeginRun(o.period, 1, "test");
  Runner runner(o, *h.db, h.worker, h.Env());
  runner.Run(*run);
  EXPECT_EQ(h.db->MemorySamples(*run)->size(), 3u);
}

TEST(Memory, ThePssIsReadInFullOnlyWhenTheLogIsDue) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5", "c6"});
  auto o = h.Options();
  o.memory_log_every = 3;
  h.estimated_pss_kb = 101 * 1024;
  h.Run(o);
  EXPECT_EQ(h.full_reads, (std::vector<bool>{false, false, true, false, false, true}));
}

store::ExportRow Row(store::Store& db, const std::string& id) {
  store::ExportRow found;
  EXPECT_TRUE(db.ForEachExportRow("2026-12", [&](const store::ExportRow& r) {
                  if (r.id == id) found = r;
                }).ok());
  return found;
}

TEST(Retry, AnOperatorsRetryOfAClientInBackoffIsNotUndoneByTheRunsNextRecord) {
  Harness h;
  Import(*h.db, {"a"});
  h.worker.fail_everything = true;
  auto o = h.Options();
  o.max_attempts = 2;
  int waits = 0;
  h.on_wait = [&] {
    if (++waits == 1) {
      // a failed once and waits in the backoff list: `boletos retry` now.
      auto reset = OpenStore(h.dir)->ResetFailed("2026-12");
      ASSERT_TRUE(reset.ok() && *reset == 1);
    } else {
      h.stop = true;  // the run's next record of a is written: look at it
    }
  };
  h.Run(o);
  store::ExportRow a = Row(*h.db, "a");
  EXPECT_EQ(a.status, "retrying") << "the run's record undid the retry";
  EXPECT_EQ(a.attempts, 1);
  EXPECT_EQ(waits, 2);
}

TEST(Retry, ARetryDuringTheLastAttemptKeepsTheClientInTheRunNotGivenUp) {
  Harness h;
  Import(*h.db, {"a", "b"});
  h.worker.fail_calls["a"] = 2;  // then a succeeds
  auto o = h.Options();
  o.max_attempts = 2;
  h.worker.on_attempt = [&] {
    if (std::count(h.worker.attempts.begin(), h.worker.attempts.end(), "a") == 2) {
      // a's last attempt is in flight: `boletos retry` now.
      auto reset = OpenStore(h.dir)->ResetFailed("2026-12");
      ASSERT_TRUE(reset.ok() && *reset == 1);
    }
  };
  // The store counts that attempt onto the reset row (attempt 1, not given
  // up): the run goes by that, keeps a and does it.
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_EQ(std::count(h.worker.attempts.begin(), h.worker.attempts.end(), "a"), 3);
  EXPECT_EQ(Row(*h.db, "a").status, "done");
  EXPECT_EQ(h.Counts().failed, 0);
}

TEST(Recycle, AnEstimateOverTheSoftLimitIsCheckedInFullBeforeRecycling) {
  Harness h;
  Import(*h.db, {"c1", "c2"});
  auto o = h.Options();
  o.memory_log_every = 0;
  o.memory_limit_mb = 200;             // soft limit 140 MB
  h.estimated_pss_kb = 150 * 1024;     // the estimate says over
  h.browser_pss_kb = 100 * 1024;       // the full read says under
  h.Run(o);
  EXPECT_TRUE(h.worker.recycle_reasons.empty()) << h.worker.recycle_reasons[0];
  EXPECT_EQ(h.full_reads, (std::vector<bool>{false, true, false, true}));
}

TEST(Recycle, AnEstimateOverTheSoftLimitThatAFullReadConfirmsRecycles) {
  Harness h;
  Import(*h.db, {"c1", "c2"});
  auto o = h.Options();
  o.memory_log_every = 0;
  o.memory_limit_mb = 200;
  h.estimated_pss_kb = 150 * 1024;
  h.browser_pss_kb = 145 * 1024;
  h.Run(o);
  ASSERT_FALSE(h.worker.recycle_reasons.empty());
  EXPECT_NE(h.worker.recycle_reasons[0].find("browser PSS 145.0 MB"), std::string::npos)
      << h.worker.recycle_reasons[0];
}

TEST(Memory, ThePeakInTheSummaryComesFromFullReadsOnly) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4"});
  auto o = h.Options();
  o.memory_log_every = 2;
  h.estimated_pss_kb = 300 * 1024;  // under the default 512 MB limit's soft line
  h.browser_pss_kb = 120 * 1024;
  auto run = h.db->BeginRun(o.period, 1, "test");
  Runner runner(o, *h.db, h.worker, h.Env());
  runner.Run(*run);
  EXPECT_NE(runner.summary().find("peak browser PSS 120.0 MB"), std::string::npos) << runner.summary();
}

}  // namespace
