// The job loop with several lanes (--tabs), against fake browsers: every
// lane kept busy, a browser taking no more than --recycle-every clients,
// recycled only when no lane is in it, a dead browser drained before
// anything new starts, the next browser started ahead only with room for
// two, and every outcome recorded exactly once. The orders of events that
// matter are built with Gates; the rest are promises checked from the
// fake's side whatever the order.

#include "jobs/runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "../store/store_test_support.h"
#include "fake_slots.h"
#include "log_capture.h"
#include "runner_envs.h"

using namespace boletos;
using namespace boletos::jobs;
using namespace boletos::jobs::testing;  // the fake browsers, gates, memory readings, log capture
using boletos::store::testing::Import;
using boletos::store::testing::OpenStore;
using boletos::store::testing::TempDir;

namespace {

RunnerOptions Options(int tabs) {
  RunnerOptions o;
  o.period = "2026-12";
  o.tabs = tabs;
  o.recycle_every = 0;
  o.backoff.base = std::chrono::milliseconds(2);
  o.backoff.cap = std::chrono::milliseconds(4);
  return o;
}

std::vector<std::string> Ids(int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) ids.push_back("c" + std::to_string(100 + i));
  return ids;
}

// Each answer takes a few ms per tab, so lanes overlap in varied orders.
AttemptResult Staggered(const FakeAttempt& a) {
  std::this_thread::sleep_for(std::chrono::milliseconds(2 + 3 * a.tab));
  return FakeDownload(a.id);
}

struct TabsRun {
  TempDir dir;
  std::unique_ptr<store::Store> db = OpenStore(dir);
  RunnerOptions options;
  FakeLauncher launcher;
  RoomyEnv memory;
  RunTotals totals;
  TabsRun(int clients, int tabs, FakeLauncher::Answer answer = Staggered)
      : options(Options(tabs)), launcher(std::move(answer)) {
    Import(*db, Ids(clients));
  }
  RunEnd Run(RunnerEnvironment env) {
    auto run = db->BeginRun("2026-12", 1, "test");
    Runner runner(options, *db, launcher, std::move(env));
    RunEnd end = runner.Run(*run);
    totals = runner.totals();
    return end;
  }
  RunEnd Run() { return Run(memory.Env()); }
  int Done() { return db->Report("2026-12")->counts.done; }
};

void ExpectThePoolsPromisesKept(const FakeLauncher::Record& r) {
  EXPECT_EQ(r.attempts_in_closed, 0);
  EXPECT_EQ(r.two_in_one_tab, 0);
  EXPECT_EQ(r.closed_with_attempt_in_flight, 0);
  EXPECT_LE(r.most_alive, 3) << "the current browser, one moved on from, one starting ahead";
  EXPECT_EQ(static_cast<int>(r.closed.size()), r.slots_started) << "every browser closed by the end";
}

}  // namespace

TEST(Tabs, FourLanesWorkOnFourClientsAtOnceAndEveryClientIsDoneOnce) {
  Gates gates;
  TabsRun r(24, 4, [&](const FakeAttempt& a) {
    gates.Pass(a.id);
    return FakeDownload(a.id);
  });
  std::thread loop([&] { EXPECT_EQ(r.Run(QuietEnv()), RunEnd::kFinished); });
  bool four_at_once = gates.WaitArrived({"c100", "c101", "c102", "c103"});
  gates.OpenAll();
  loop.join();
  EXPECT_TRUE(four_at_once);
  EXPECT_EQ(r.Done(), 24);
  auto rec = r.launcher.record();
  std::multiset<std::string> attempted(rec.attempts_by_slot[1].begin(), rec.attempts_by_slot[1].end());
  for (const auto& id : Ids(24)) EXPECT_EQ(attempted.count(id), 1u) << id;
  EXPECT_EQ(rec.slots_started, 1);
  ExpectThePoolsPromisesKept(rec);
}

TEST(Tabs, ABrowserTakesNoMoreThanRecycleEveryClientsAndIsRecycledOnlyWithNoLaneInIt) {
  TabsRun r(20, 3);
  r.options.recycle_every = 5;  // not a multiple of 3: the last lanes of each browser stay idle
  EXPECT_EQ(r.Run(QuietEnv()), RunEnd::kFinished);  // no memory figure: none starts ahead
  EXPECT_EQ(r.Done(), 20);
  auto rec = r.launcher.record();
  EXPECT_EQ(rec.successes_by_slot, (std::map<int, int>{{1, 5}, {2, 5}, {3, 5}, {4, 5}}));
  EXPECT_EQ(rec.slots_prepared_ahead, 0);
  EXPECT_EQ(rec.busy_at_start, (std::vector<int>{0, 0, 0, 0})) << "a recycle waits for every lane";
  EXPECT_EQ(r.totals.recycles, 3) << "after 5, 10 and 15: the last browser goes at shutdown";
  ExpectThePoolsPromisesKept(rec);
}

TEST(Tabs, ABrowserDeathIsDrainedBeforeAnyNewClientStartsAndTheBrokenClientsAreRetried) {
  Gates gates;
  std::atomic<bool> died{false};
  TabsRun r(16, 4, [&](const FakeAttempt& a) {
    if (a.slot == 1) gates.Pass(a.id);
    if (a.slot == 1 && died) return AttemptResult(AttemptFailure{MakeError(ErrorKind::kConnectionClosed, "closed"), false, true});
    return AttemptResult(FakeDownload(a.id));
  });
  std::thread loop([&] { EXPECT_EQ(r.Run(QuietEnv()), RunEnd::kFinished); });
  bool four_in = gates.WaitArrived({"c100", "c101", "c102", "c103"});
  died = true;
  gates.Open("c101");  // the first to hear of the death; the others are still in the browser
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // room for a wrong dispatch to show below
  gates.OpenAll();
  loop.join();
  ASSERT_TRUE(four_in);
  EXPECT_EQ(r.Done(), 16);
  EXPECT_EQ(r.totals.failed_attempts, 4) << "the four clients in the dying browser, and no other";
  auto rec = r.launcher.record();
  EXPECT_EQ(rec.attempts_by_slot[1].size(), 4u) << "nothing was sent to the dead browser";
  EXPECT_EQ(rec.slots_started, 2);
  EXPECT_EQ(rec.busy_at_start[1], 0) << "the fresh browser started once every lane was out of the dead one";
  ExpectThePoolsPromisesKept(rec);
}

TEST(Tabs, TheNextBrowserStartsAheadDuringTheLastClientsOfEachBrowserButTheLast) {
  TabsRun r(20, 3);
  r.options.recycle_every = 5;
  EXPECT_EQ(r.Run(), RunEnd::kFinished);
  EXPECT_EQ(r.Done(), 20);
  auto rec = r.launcher.record();
  EXPECT_EQ(rec.successes_by_slot, (std::map<int, int>{{1, 5}, {2, 5}, {3, 5}, {4, 5}}));
  // Browsers 2 to 4 were started ahead, each before the one before had
  // finished its 5 clients; after the fourth no client was left.
  EXPECT_EQ(rec.started_ahead, 3);
  EXPECT_EQ(rec.slots_prepared_ahead, 3);
  for (int successes : r.launcher.successes_when_ahead()) EXPECT_LT(successes, 5);
  // Readings before the first start ahead covered the first browser alone.
  // (Whether a client ends while two browsers run depends on the threads'
  // timing here; MoveInterleavings.* builds that moment and checks the
  // readings then cover both.)
  EXPECT_EQ(r.memory.groups_read.count({FakeLauncher::PidOf(1)}), 1u);
  ExpectThePoolsPromisesKept(rec);
}

TEST(Tabs, NoBrowserStartsAheadWithoutRoomForTwoUnderTheSoftLimitAndTheBrowsersDrainInstead) {
  TabsRun r(20, 3);
  r.options.recycle_every = 5;
  r.options.memory_limit_mb = 512;  // soft limit 358.4 MB: 10 + 100 + 250 would pass it
  r.memory.own_kb = 250 * 1024;
  EXPECT_EQ(r.Run(), RunEnd::kFinished);
  EXPECT_EQ(r.Done(), 20);
  auto rec = r.launcher.record();
  EXPECT_EQ(rec.started_ahead, 0);
  EXPECT_EQ(rec.busy_at_start, (std::vector<int>{0, 0, 0, 0})) << "no move without a browser started ahead";
  EXPECT_EQ(r.totals.recycles, 3) << "recycles go on as before: after 5, 10 and 15 downloads";
  ExpectThePoolsPromisesKept(rec);
}

TEST(Tabs, OneLaneNeverRunsTwoBrowsers) {
  TabsRun r(12, 1);
  r.options.recycle_every = 4;
  EXPECT_EQ(r.Run(), RunEnd::kFinished);
  EXPECT_EQ(r.Done(), 12);
  auto rec = r.launcher.record();
  EXPECT_EQ(rec.started_ahead, 0);
  EXPECT_EQ(rec.most_alive, 1);
  EXPECT_EQ(rec.successes_by_slot, (std::map<int, int>{{1, 4}, {2, 4}, {3, 4}}));
  ExpectThePoolsPromisesKept(rec);
}

TEST(Tabs, EachBrowserTakesItsClientsAndNoMoreWhicheverWayTheLanesMoveOn) {
  // Many orders of finishing: the budget holds across moves and recycles.
  TabsRun r(40, 4, [](const FakeAttempt& a) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + (a.id.back() - '0') % 4 * 3));
    return FakeDownload(a.id);
  });
  r.options.recycle_every = 7;
  EXPECT_EQ(r.Run(), RunEnd::kFinished);
  EXPECT_EQ(r.Done(), 40);
  auto rec = r.launcher.record();
  int total = 0;
  for (auto& [slot, successes] : rec.successes_by_slot) {
    EXPECT_LE(successes, 7) << "browser " << slot;
    total += successes;
  }
  EXPECT_EQ(total, 40);
  EXPECT_EQ(r.totals.recycles, rec.slots_started - 1);
  ExpectThePoolsPromisesKept(rec);
}
