// The move onto the browser started ahead, and what can happen around it,
// each in one order of events built with Gates (attempts that finish when
// the test says), against fake browsers: a lane moves on while the old
// browser's last clients still run; that browser closes when its last one
// is recorded; it dies meanwhile; a stop comes mid-move; its memory is not
// blamed on the new one. Also the edges of starting: a launch that fails,
// a browser found dead before an attempt began.

#include "jobs/runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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

// 3 lanes, a new browser every 4 clients, 8 clients, every attempt gated.
// c100..c102 start together; c100 and c101 are let go, so c103 takes the
// first browser's last room while c102 still runs in it and one lane is
// free: that lane moves on, and c104 arrives in browser 2 while c102 and
// c103 are still held in browser 1.
struct MoveRun {
  TempDir dir;
  std::unique_ptr<store::Store> db = OpenStore(dir);
  Gates gates;
  std::atomic<int> dead_slot{0};  // its held attempts return as in a dead browser
  FakeLauncher launcher{[this](const FakeAttempt& a) {
    gates.Pass(a.id);
    if (a.slot == dead_slot || launcher.killed(a.slot)) {
      return AttemptResult(AttemptFailure{MakeError(ErrorKind::kConnectionClosed, "the browser closed"), false, true});
    }
    return AttemptResult(FakeDownload(a.id));
  }};
  RoomyEnv memory;
  RunnerOptions options;
  std::atomic<bool> stop{false};
  LogCapture log;
  std::unique_ptr<Runner> runner;
  std::thread loop;
  RunEnd end = RunEnd::kSomeFailed;

  MoveRun() {
    Import(*db, {"c100", "c101", "c102", "c103", "c104", "c105", "c106", "c107"});
    options.period = "2026-12";
    options.tabs = 3;
    options.recycle_every = 4;
  }
  void Start() {
    RunnerEnvironment env = memory.Env();
    env.stop_requested = [this] { return stop.load(); };
    runner = std::make_unique<Runner>(options, *db, launcher, env);
    auto run = db->BeginRun("2026-12", 1, "test");
    ASSERT_TRUE(run.ok());
    loop = std::thread([this, id = *run] { end = runner->Run(id); });
  }
  // Up to c104 arriving in the browser moved to; false if it did not.
  bool MoveWithTwoClientsLeftBehind() {
    if (!gates.WaitArrived({"c100", "c101", "c102"})) return false;
    gates.Open("c100");
    gates.Open("c101");
    return gates.WaitArrived({"c103", "c104"});
  }
  void Finish() {
    gates.OpenAll();  // whatever happened, let the run end
    if (loop.joinable()) loop.join();
  }
  ~MoveRun() { Finish(); }
  int Attempts(const std::string& id) {
    int attempts = -1;
    EXPECT_TRUE(db->ForEachExportRow("2026-12", [&](const store::ExportRow& row) {
                  if (row.id == id) attempts = row.attempts;
                }).ok());
    return attempts;
  }
};

std::vector<std::string> Sorted(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

TEST(MoveInterleavings, AFreeLaneMovesOnWhileTheOldBrowsersLastClientsRunAndTheOldOneClosesAfterTheLast) {
  MoveRun r;
  ASSERT_NO_FATAL_FAILURE(r.Start());
  ASSERT_TRUE(r.MoveWithTwoClientsLeftBehind()) << "the free lane waited for c102 or c103 to end";
  auto rec = r.launcher.record();
  EXPECT_EQ(Sorted(rec.attempts_by_slot[1]), (std::vector<std::string>{"c100", "c101", "c102", "c103"}));
  EXPECT_EQ(rec.attempts_by_slot[2], (std::vector<std::string>{"c104"})) << "the next client went to the browser started ahead";
  EXPECT_EQ(rec.slots_prepared_ahead, 1);
  EXPECT_TRUE(rec.closed.empty()) << "browser 1 closed with c102 and c103 still in it";

  r.gates.Open("c102");
  ASSERT_TRUE(r.gates.WaitArrived({"c103", "c104", "c105"}));  // c102's lane took the next client
  EXPECT_TRUE(r.launcher.record().closed.empty()) << "browser 1 closed with c103 still in it";
  r.Finish();
  EXPECT_EQ(r.end, RunEnd::kFinished);
  EXPECT_EQ(r.db->Report("2026-12")->counts.done, 8);
  rec = r.launcher.record();
  EXPECT_EQ(rec.successes_by_slot, (std::map<int, int>{{1, 4}, {2, 4}}));
  EXPECT_EQ(rec.closed, (std::vector<int>{1, 2}));
  EXPECT_EQ(rec.attempts_in_closed + rec.two_in_one_tab + rec.closed_with_attempt_in_flight, 0);
  EXPECT_EQ(r.runner->totals().recycles, 1);
  // Readings covered the browser moved on from beside the current one.
  EXPECT_EQ(r.memory.groups_read.count({FakeLauncher::PidOf(2), FakeLauncher::PidOf(1)}), 1u);
}

TEST(MoveInterleavings, ADeathInTheBrowserMovedOnFromCostsItsClientsAnAttemptAndNothingElse) {
  MoveRun r;
  ASSERT_NO_FATAL_FAILURE(r.Start());
  ASSERT_TRUE(r.MoveWithTwoClientsLeftBehind());
  r.dead_slot = 1;  // browser 1 dies under c102 and c103
  r.Finish();
  EXPECT_EQ(r.end, RunEnd::kFinished);
  EXPECT_EQ(r.db->Report("2026-12")->counts.done, 8);
  EXPECT_EQ(r.runner->totals().failed_attempts, 2);
  EXPECT_EQ(r.Attempts("c102"), 2);
  EXPECT_EQ(r.Attempts("c103"), 2);
  EXPECT_EQ(r.Attempts("c104"), 1);
  auto rec = r.launcher.record();
  // The current browser was not replaced for the old one's death: it took
  // its 4 (the retries of c102 and c103 made a third browser).
  EXPECT_EQ(rec.successes_by_slot, (std::map<int, int>{{1, 2}, {2, 4}, {3, 2}}));
  EXPECT_EQ(r.runner->totals().recycles, 2);
  EXPECT_EQ(rec.attempts_in_closed + rec.two_in_one_tab + rec.closed_with_attempt_in_flight, 0);
}

TEST(MoveInterleavings, AStopMidMoveAbandonsTheClientsInBothBrowsersUnchargedAndClosesEveryBrowser) {
  MoveRun r;
  ASSERT_NO_FATAL_FAILURE(r.Start());
  ASSERT_TRUE(r.MoveWithTwoClientsLeftBehind());
  r.stop = true;
  r.runner->Abandon();  // the grace period ran out
  r.Finish();
  EXPECT_EQ(r.end, RunEnd::kInterrupted);
  EXPECT_EQ(r.runner->totals().failed_attempts, 0);
  for (const char* id : {"c102", "c103", "c104"}) EXPECT_EQ(r.Attempts(id), 0) << id;
  auto rec = r.launcher.record();
  EXPECT_EQ(rec.slots_started, 2) << "no browser started after the stop";
  EXPECT_EQ(rec.closed.size(), 2u);
  EXPECT_EQ(rec.attempts_in_closed + rec.two_in_one_tab + rec.closed_with_attempt_in_flight, 0);
}

TEST(MoveInterleavings, WhileTheOldBrowserFinishesItsMemoryDoesNotRecycleTheNewOne) {
  MoveRun r;
  r.options.memory_limit_mb = 512;        // soft limit 358.4 MB
  r.memory.with_retired_kb = 400 * 1024;  // both browsers together pass it
  ASSERT_NO_FATAL_FAILURE(r.Start());
  ASSERT_TRUE(r.MoveWithTwoClientsLeftBehind());
  r.gates.Open("c104");  // recorded while browser 1 still has two clients: a reading over the limit
  ASSERT_TRUE(r.gates.WaitArrived({"c102", "c103", "c105"}));  // c104's lane took the next client
  r.Finish();
  EXPECT_EQ(r.end, RunEnd::kFinished);
  for (const auto& reason : r.log.RecycleReasons()) EXPECT_EQ(reason.find("memory"), std::string::npos) << reason;
  EXPECT_EQ(r.launcher.record().successes_by_slot, (std::map<int, int>{{1, 4}, {2, 4}}));
}

TEST(Starts, ALaunchThatFailsIsAFailedAttemptWithItsReasonAndTheNextClientStartsOneAgain) {
  TempDir dir;
  auto db = OpenStore(dir);
  Import(*db, {"c1", "c2"});
  FakeLauncher launcher([](const FakeAttempt& a) { return AttemptResult(FakeDownload(a.id)); });
  launcher.FailStarts(1);
  RunnerOptions o;
  o.period = "2026-12";
  o.backoff.base = std::chrono::milliseconds(1);
  auto run = db->BeginRun("2026-12", 1, "test");
  LogCapture log;
  Runner runner(o, *db, launcher, QuietEnv());
  EXPECT_EQ(runner.Run(*run), RunEnd::kFinished);
  EXPECT_EQ(db->Report("2026-12")->counts.done, 2);
  EXPECT_EQ(runner.totals().failed_attempts, 1);
  auto failed = log.After("c1 failed attempt 1/6");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_NE(failed[0].find("scripted launch failure"), std::string::npos) << "the failed attempt says why: " << failed[0];
}

TEST(Starts, AClientSentToABrowserFoundDeadBeforeItBeganGoesAgainUncharged) {
  TempDir dir;
  auto db = OpenStore(dir);
  Import(*db, {"c1", "c2", "c3"});
  FakeLauncher launcher([](const FakeAttempt& a) {
    if (a.slot == 1 && a.id == "c2") {
      AttemptFailure f{MakeError(ErrorKind::kTargetCrashed, "the browser died before this client began"), false, true};
      f.never_started = true;
      return AttemptResult(f);
    }
    return AttemptResult(FakeDownload(a.id));
  });
  RunnerOptions o;
  o.period = "2026-12";
  auto run = db->BeginRun("2026-12", 1, "test");
  Runner runner(o, *db, launcher, QuietEnv());
  EXPECT_EQ(runner.Run(*run), RunEnd::kFinished);
  EXPECT_EQ(db->Report("2026-12")->counts.done, 3);
  EXPECT_EQ(runner.totals().failed_attempts, 0);
  EXPECT_EQ(runner.totals().returned_unstarted, 1);
  auto rec = launcher.record();
  EXPECT_EQ(rec.slots_started, 2) << "a fresh browser took c2";
  EXPECT_EQ(rec.attempts_by_slot[2].front(), "c2");
}
