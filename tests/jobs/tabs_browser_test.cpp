// --tabs K with the real thing: the Runner over headless Chromiums with
// several tabs each (Rig), against the demo portal. Every boleto must be
// the portal's own bytes, each client's its own, and no browser process may
// outlive the run - also when a browser is killed while three tabs are in
// it, or when the browser moved on from dies or a stop comes at a move.

#include <signal.h>

#include <algorithm>
#include <thread>

#include "browser_rig.h"

using namespace boletos;
using boletos::jobs::testing::Rig;
namespace fs = std::filesystem;

TEST(TabsInABrowser, FourTabsDownloadEveryClientsOwnSlipAcrossRecycles) {
  Rig rig(24, 4);
  EXPECT_EQ(rig.Run(/*recycle_every=*/5, /*max_attempts=*/3), jobs::RunEnd::kFinished);
  rig.ExpectAllDoneWithTheirOwnSlips();
  EXPECT_EQ(rig.deliveries().size(), 5u) << "all five ways the portal delivers";
  EXPECT_EQ(rig.totals().done, rig.clients());
  EXPECT_GE(rig.totals().recycles, 3);
  rig.ExpectNoBrowserLeft();
}

TEST(TabsInABrowser, TheNextBrowserStartsAheadLoggedInAndTakesOverAtEachRecycle) {
  Rig rig(16, 3);
  EXPECT_EQ(rig.Run(/*recycle_every=*/4, /*max_attempts=*/3), jobs::RunEnd::kFinished);
  rig.ExpectAllDoneWithTheirOwnSlips();
  const int browsers = 4;  // 16 clients, 4 downloads each, no failure
  EXPECT_GE(rig.totals().recycles, browsers - 1);
  // Each browser after the first started beside the one before and then
  // became the current one; the last one started none.
  EXPECT_EQ(rig.totals().browsers_started, browsers);
  EXPECT_EQ(rig.totals().browsers_prepared_ahead, browsers - 1);
  // A lane that came free moved on to the next browser while the old one
  // still had clients in flight, rather than wait for them.
  std::vector<int> busy = rig.watched().BusyAtMoves();
  // (The wrapper's count drops when an attempt returns, the Runner's when it
  // is recorded: a move may see none of the old ones still running.)
  EXPECT_GE(std::count_if(busy.begin(), busy.end(), [](int n) { return n >= 1; }), 1)
      << ::testing::PrintToString(busy);
  // One login per browser: the one done ahead is not done again, and its
  // other tabs share it.
  EXPECT_EQ(rig.PortalLogins(), browsers);
  rig.ExpectNoBrowserLeft();
}

TEST(TabsInABrowser, ThreeTabsOnAFaultyPortalEndWithEveryClientDoneAndForeignSlipsRefused) {
  Rig rig(15, 3, "expire_every=5,http500=0.15,truncate=0.1,wrong_client=0.1", /*short_timeouts=*/true);
  EXPECT_EQ(rig.Run(/*recycle_every=*/10, /*max_attempts=*/40), jobs::RunEnd::kFinished);
  rig.ExpectAllDoneWithTheirOwnSlips();
  auto injected = rig.portal().faults().counts();
  EXPECT_GT(injected["expired_session"], 0);
  EXPECT_GT(injected["wrong_client"], 0);
  // Slips of other clients (and pages printed in their place) were refused;
  // the byte checks above show none was recorded as done. Not compared with
  // the portal's count: Chromium may fetch one link twice and keep one.
  EXPECT_GT(rig.totals().foreign_refused, 0);
  // Refused slips were kept in _failed/ until their client was done.
  for (const auto& e : fs::directory_iterator(rig.FailedDir())) {
    EXPECT_EQ(e.path().string().find(".rejected.pdf"), std::string::npos) << e.path() << " outlived its client's success";
  }
  EXPECT_GT(rig.totals().failed_attempts, 0);
  rig.ExpectNoBrowserLeft();
}

TEST(TabsInABrowser, ABrowserKilledWhileThreeTabsAreInItIsReplacedAndTheRunGoesOn) {
  Rig rig(18, 3);
  pid_t killed = -1;
  std::thread killer([&] {
    // Three attempts in the browser at once, after a few clients are done.
    if (!rig.watched().WaitForParallel(3, 6)) return;
    killed = rig.watched().CurrentPid();
    if (killed > 0) kill(-killed, SIGKILL);
  });
  jobs::RunEnd end = rig.Run(/*recycle_every=*/100, /*max_attempts=*/4);
  killer.join();
  ASSERT_GT(killed, 0) << "three tabs were never in flight at once";
  EXPECT_EQ(end, jobs::RunEnd::kFinished);
  rig.ExpectAllDoneWithTheirOwnSlips();
  EXPECT_GE(rig.totals().browsers_started, 2) << "a fresh browser took over";
  EXPECT_GE(rig.totals().failed_attempts, 1) << "the attempts in the killed browser count as failed";
  EXPECT_LE(rig.totals().failed_attempts, 3) << "only the attempts that were in the killed browser";
  EXPECT_EQ(test_support::ProcessesInGroup(killed), 0);
  rig.ExpectNoBrowserLeft();
}

// Both tests below act at the first move, with the first browser's last two
// clients (of 4: recycle every 4) mid-way in it: the portal holds their
// slips, so at that move both are certainly in the old browser, in its
// download step. The holds end once the test has acted.

TEST(TabsInABrowser, ARetiredBrowserKilledWithClientsInItCostsThemAnAttemptAndNothingElse) {
  Rig rig(16, 3);
  rig.portal().HoldFirstDownloads({rig.id(2), rig.id(3)});
  rig.watched().AtTheFirstMoveWithTwoLeft([&](pid_t old) {
    kill(-old, SIGKILL);  // its two clients are mid-way in it
    rig.portal().ReleaseHeldDownloads();
  });
  EXPECT_EQ(rig.Run(/*recycle_every=*/4, /*max_attempts=*/3), jobs::RunEnd::kFinished);
  std::vector<pid_t> killed = rig.watched().MovedOnFromWithTwoLeft();
  ASSERT_EQ(killed.size(), 1u) << "no move left a browser with two clients in flight";
  EXPECT_EQ(rig.watched().BusyAtMoves().front(), 2);
  rig.ExpectAllDoneWithTheirOwnSlips();
  // Only its two clients failed, once each, and were done later; the
  // current browser went on: no drain, no replacement.
  EXPECT_EQ(rig.totals().failed_attempts, 2);
  EXPECT_EQ(rig.Rows()[rig.id(2)].attempts, 2);
  EXPECT_EQ(rig.Rows()[rig.id(3)].attempts, 2);
  EXPECT_EQ(rig.totals().browsers_started, rig.totals().recycles + 1) << "a browser was started for the death";
  EXPECT_EQ(test_support::ProcessesInGroup(killed[0]), 0);
  rig.ExpectNoBrowserLeft();
}

TEST(TabsInABrowser, AStopAtAMoveAbandonsTheClientsStillInTheRetiredBrowserAndLeavesNoBrowser) {
  Rig rig(16, 3);
  rig.portal().HoldFirstDownloads({rig.id(2), rig.id(3)});
  rig.watched().AtTheFirstMoveWithTwoLeft([&](pid_t) {
    rig.StopAndAbandon();  // a stop whose grace period runs out at once: both browsers have clients
    rig.portal().ReleaseHeldDownloads();
  });
  EXPECT_EQ(rig.Run(/*recycle_every=*/4, /*max_attempts=*/3), jobs::RunEnd::kInterrupted);
  std::vector<pid_t> retired = rig.watched().MovedOnFromWithTwoLeft();
  ASSERT_EQ(retired.size(), 1u) << "no move left a browser with two clients in flight";
  EXPECT_EQ(rig.watched().slots(), 1) << "the browser started ahead was killed with the stop, and none started after";
  // The clients cut off were abandoned, not failed: the next run does them.
  EXPECT_EQ(rig.totals().failed_attempts, 0);
  EXPECT_EQ(rig.totals().done, 2);
  for (const auto& [id, row] : rig.Rows()) {
    EXPECT_TRUE(row.status == "done" || row.status == "pending") << id << " " << row.status;
  }
  EXPECT_EQ(rig.Rows()[rig.id(2)].status, "pending");
  EXPECT_EQ(rig.Rows()[rig.id(3)].status, "pending");
  EXPECT_EQ(test_support::ProcessesInGroup(retired[0]), 0) << "the retired browser outlived the stop";
  rig.ExpectNoBrowserLeft();
  // The stop killed the retired browser under its two clients (Abandon),
  // not only the current one.
  EXPECT_EQ(rig.watched().FailedBySlot()[1], 2);
}
