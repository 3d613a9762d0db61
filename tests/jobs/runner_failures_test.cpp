// The job loop when attempts go wrong: throws, timeouts in a row (a hung
// browser), a portal that is down, and an operator's retry mid-run.

#include <gtest/gtest.h>

#include <algorithm>

#include "runner_harness.h"

using namespace boletos;
using namespace boletos::jobs;
using boletos::jobs::testing::Harness;
using boletos::jobs::testing::Row;
using boletos::store::testing::Import;
using boletos::store::testing::OpenStore;

namespace {

TEST(Runner, AnAttemptThatThrowsIsAFailedAttemptWithItsMessageAndTheRunGoesOn) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3"});
  h.portal.throw_first["c2"] = 2;  // something that is no std::exception, then one that is
  auto o = h.Options();
  o.max_attempts = 2;
  EXPECT_EQ(h.Run(o), RunEnd::kSomeFailed);
  // c2 twice, each of the others once. In which order is the queue's
  // business: c2's 4-16 ms backoff may end before c3 is taken (a loaded
  // machine, a Release build: it did), and a due retry goes first.
  std::vector<std::string> attempted = h.portal.attempts;
  std::sort(attempted.begin(), attempted.end());
  EXPECT_EQ(attempted, (std::vector<std::string>{"c1", "c2", "c2", "c3"})) << ::testing::PrintToString(h.portal.attempts);
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


TEST(PortalDown, KConsecutiveFailuresStopTheRunInsteadOfBurningEveryonesAttempts) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"});
  h.portal.fail_everything = true;
  auto o = h.Options();
  o.max_consecutive_failures = 4;
  EXPECT_EQ(h.Run(o), RunEnd::kPortalDown);
  // 4 failures in the first browser, then a fresh one, which failed its 3
  // (min(K, N)) too: the portal, not the browser.
  ASSERT_EQ(h.log.RecycleReasons().size(), 1u);
  EXPECT_EQ(h.log.RecycleReasons()[0], "4 consecutive failures: a fresh browser before the portal is judged down");
  EXPECT_EQ(h.portal.attempts.size(), 7u);
  EXPECT_EQ(h.Counts().failed, 0) << "nobody should have used up their attempts";
}

TEST(HungBrowser, KTimeoutsInARowReplaceTheBrowserAndTheRunGoesOn) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5"});
  h.portal.time_out_first = 3;  // then the fresh browser works
  auto o = h.Options();
  auto run = h.db->BeginRun(o.period, 1, "test");
  ASSERT_TRUE(run.ok());
  Runner runner(o, *h.db, h.launcher, h.Env());
  EXPECT_EQ(runner.Run(*run), RunEnd::kFinished);
  EXPECT_EQ(h.log.RecycleReasons(),
            std::vector<std::string>{"the last 3 attempts in this browser timed out: it may be hung"});
  EXPECT_EQ(runner.totals().hung_browsers_replaced, 1);
  EXPECT_EQ(h.Counts().done, 5);
}

TEST(HungBrowser, TimeoutsBrokenByASuccessDoNotMakeABrowserHung) {
  Harness h;
  Import(*h.db, {"c1", "c2", "c3", "c4", "c5", "c6"});
  h.portal.time_out_first = 2;  // c1 and c2 time out, c3 passes,
  h.portal.fail_first["c4"] = 1;  // then c4 and c5 time out
  h.portal.fail_first["c5"] = 1;
  h.portal.fail_kind = ErrorKind::kTimeout;
  EXPECT_EQ(h.Run(h.Options()), RunEnd::kFinished);
  EXPECT_TRUE(h.log.RecycleReasons().empty()) << h.log.RecycleReasons().front();
  EXPECT_EQ(h.Counts().done, 6);
}

TEST(Retry, AnOperatorsRetryOfAClientInBackoffIsNotUndoneByTheRunsNextRecord) {
  Harness h;
  Import(*h.db, {"a"});
  h.portal.fail_everything = true;
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
  h.portal.fail_calls["a"] = 2;  // then a succeeds
  auto o = h.Options();
  o.max_attempts = 2;
  h.portal.on_attempt = [&] {
    if (std::count(h.portal.attempts.begin(), h.portal.attempts.end(), "a") == 2) {
      // a's last attempt is in flight: `boletos retry` now.
      auto reset = OpenStore(h.dir)->ResetFailed("2026-12");
      ASSERT_TRUE(reset.ok() && *reset == 1);
    }
  };
  // The store counts that attempt onto the reset row (attempt 1, not given
  // up): the run goes by that, keeps a and does it.
  EXPECT_EQ(h.Run(o), RunEnd::kFinished);
  EXPECT_EQ(std::count(h.portal.attempts.begin(), h.portal.attempts.end(), "a"), 3);
  EXPECT_EQ(Row(*h.db, "a").status, "done");
  EXPECT_EQ(h.Counts().failed, 0);
}

}  // namespace
