// The job loop against a real SQLite store and a scripted worker.

#include "jobs/runner.h"

#include <gtest/gtest.h>

#include <thread>

#include "runner_harness.h"

using namespace boletos;
using namespace boletos::jobs;
using boletos::jobs::testing::Harness;
using boletos::store::testing::Import;
using boletos::store::testing::OpenStore;
using boletos::store::testing::TempDir;

namespace {

TEST(Runner, DownloadsEveryPendingClientInStableOrder) {
  Harness h;
  Import(*h.db, {"c3", "c1", "c2"});
  EXPECT_EQ(h.Run(h.Options()), RunEnd::kFinished);
  EXPECT_EQ(h.portal.attempts, (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(h.Counts().done, 3);
}

TEST(Resume, ANextRunStartsAfterTheLastSuccessAndNeverDownloadsADoneClientAgain) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5"});
  auto o = h.Options();
  o.batch = 2;
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_EQ(h.portal.attempts, (std::vector<std::string>{"c1", "c2", "c3", "c4", "c5"}));
  h.portal.attempts.clear();
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_TRUE(h.portal.attempts.empty());
}

TEST(Retries, AFailingClientIsRetriedWithBackoffWithoutHoldingUpTheOthers) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3"});
  h.portal.fail_first["c1"] = 2;
  EXPECT_EQ(h.Run(h.Options()), RunEnd::kFinished);
  // c1 fails, the others go on, c1 comes back when its backoff has passed.
  ASSERT_GE(h.portal.attempts.size(), 5u);
  EXPECT_EQ(h.portal.attempts[0], "c1");
  EXPECT_EQ(h.portal.attempts[1], "c2");
  EXPECT_EQ(h.Counts().done, 3);
  auto rows = h.db->Report("2026-12");
  EXPECT_EQ(std::count(h.portal.attempts.begin(), h.portal.attempts.end(), "c1"), 3);
}

TEST(Retries, AClientThatKeepsFailingGivesUpAfterMaxAttemptsAndTheRunExitsOne) {
  Harness h;
  Import(*h.db, {"c1", "c2"});
  h.portal.fail_first["c1"] = 100;
  auto o = h.Options();
  o.max_attempts = 3;
  EXPECT_EQ(h.Run(o), RunEnd::kSomeFailed);
  EXPECT_EQ(std::count(h.portal.attempts.begin(), h.portal.attempts.end(), "c1"), 3);
  EXPECT_EQ(h.Counts().failed, 1);
  EXPECT_EQ(h.Counts().done, 1);
  // A later run does not take a client that has given up.
  h.portal.attempts.clear();
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_TRUE(h.portal.attempts.empty());
}

TEST(Stop, NoNewClientStartsAfterAStopRequest) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3"});
  h.portal.on_attempt = [&] { h.stop = true; };
  EXPECT_EQ(h.Run(h.Options()), RunEnd::kInterrupted);
  EXPECT_EQ(h.portal.attempts, std::vector<std::string>{"c1"});
}

TEST(Stop, AStopEndsABackoffWaitAtOnce) {
  Harness h;
  Import(*h.db, {"c1"});
  h.portal.fail_first["c1"] = 1;
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
  ASSERT_EQ(h.log.RecycleReasons().size(), 2u);
  EXPECT_EQ(h.log.RecycleReasons()[0], "every 2 downloads");
}

TEST(Recycle, NoRecycleFollowsTheRunsLastClient) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4"});
  auto o = h.Options();
  o.recycle_every = 2;
  auto run = h.db->BeginRun(o.period, 1, "test");
  Runner runner(o, *h.db, h.launcher, h.Env());
  EXPECT_EQ(runner.Run(*run), RunEnd::kFinished);
  // After c2 only: the browser c4 leaves behind goes at shutdown.
  EXPECT_EQ(h.log.RecycleReasons(), (std::vector<std::string>{"every 2 downloads"}));
  EXPECT_EQ(runner.totals().recycles, 1);
}

TEST(Recycle, TheBrowserIsReplacedEarlyOverTheSoftMemoryLimit) {
  Harness h;
  Import(*h.db, {"c1", "c2"});
  auto o = h.Options();
  o.memory_limit_mb = 200;  // soft limit 140 MB; the test browser reads 150 MB
  h.browser_pss_kb = 150 * 1024;
  h.Run(o);
  ASSERT_FALSE(h.log.RecycleReasons().empty());
  EXPECT_NE(h.log.RecycleReasons()[0].find("over the soft limit"), std::string::npos)
      << h.log.RecycleReasons()[0];
}

TEST(Memory, ASampleIsStoredEveryNClients) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5", "c6"});
  auto o = h.Options();
  o.memory_log_every = 2;
  auto run = h.db->BeginRun(o.period, 1, "test");
  Runner runner(o, *h.db, h.launcher, h.Env());
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

TEST(Recycle, AnEstimateOverTheSoftLimitIsCheckedInFullBeforeRecycling) {
  Harness h;
  Import(*h.db, {"c1", "c2"});
  auto o = h.Options();
  o.memory_log_every = 0;
  o.memory_limit_mb = 200;             // soft limit 140 MB
  h.estimated_pss_kb = 150 * 1024;     // the estimate says over
  h.browser_pss_kb = 100 * 1024;       // the full read says under
  h.Run(o);
  EXPECT_TRUE(h.log.RecycleReasons().empty()) << h.log.RecycleReasons()[0];
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
  ASSERT_FALSE(h.log.RecycleReasons().empty());
  EXPECT_NE(h.log.RecycleReasons()[0].find("browser PSS 145.0 MB"), std::string::npos)
      << h.log.RecycleReasons()[0];
}

TEST(Memory, ThePeakInTheSummaryComesFromFullReadsOnly) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4"});
  auto o = h.Options();
  o.memory_log_every = 2;
  h.estimated_pss_kb = 300 * 1024;  // under the default 512 MB limit's soft line
  h.browser_pss_kb = 120 * 1024;
  auto run = h.db->BeginRun(o.period, 1, "test");
  Runner runner(o, *h.db, h.launcher, h.Env());
  runner.Run(*run);
  EXPECT_NE(runner.summary().find("peak browser PSS 120.0 MB"), std::string::npos) << runner.summary();
}

}  // namespace
