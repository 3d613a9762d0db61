// Runs: how each one started and ended, and dead runs recognised.

#include <gtest/gtest.h>

#include "store_test_support.h"

namespace boletos::store {
namespace {

using testing::Import;
using testing::MakeDownload;
using testing::OpenStore;
using testing::TempDir;

const std::string kPeriod = "2026-12";

RunRecord FindRun(Store& store, int64_t id) {
  auto runs = store.RecentRuns(100);
  EXPECT_TRUE(runs.ok()) << runs.message();
  for (const RunRecord& r : *runs) {
    if (r.id == id) return r;
  }
  ADD_FAILURE() << "run " << id << " not found";
  return {};
}

TEST(Runs, BeginRunRecordsWhoAndWhen) {
  TempDir dir;
  auto store = OpenStore(dir);
  auto id = store->BeginRun(kPeriod, 4242, "worker-1");
  ASSERT_TRUE(id.ok()) << id.message();
  RunRecord r = FindRun(*store, *id);
  EXPECT_EQ(r.period, kPeriod);
  EXPECT_EQ(r.pid, 4242);
  EXPECT_EQ(r.host, "worker-1");
  EXPECT_EQ(r.outcome, RunOutcome::kRunning);
  EXPECT_EQ(r.ended_at, "");
  ASSERT_EQ(r.started_at.size(), 24u) << r.started_at;  // 2026-12-03T14:05:09.123Z
  EXPECT_EQ(r.started_at[10], 'T');
  EXPECT_EQ(r.started_at[19], '.');
  EXPECT_EQ(r.started_at.back(), 'Z');
}

TEST(Runs, RecordSuccessCountsDoneAndTheLastClientInTheSameRun) {
  TempDir dir;
  auto store = OpenStore(dir);
  Import(*store, {"a", "b", "c"});
  auto id = store->BeginRun(kPeriod, 1, "h");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store->RecordSuccess(kPeriod, "a", *id, 1, MakeDownload("2026-12/a.pdf")).ok());
  ASSERT_TRUE(store->RecordFailure(kPeriod, "b", *id, 1, "timeout", false).ok());
  ASSERT_TRUE(store->RecordSuccess(kPeriod, "c", *id, 2, MakeDownload("2026-12/c.pdf")).ok());
  RunRecord r = FindRun(*store, *id);
  EXPECT_EQ(r.done, 2);
  EXPECT_EQ(r.failed_attempts, 1);
  EXPECT_EQ(r.last_done_client, "c");
  EXPECT_FALSE(r.last_done_at.empty());
}

TEST(Runs, EndRunRecordsOutcomeAndSummary) {
  TempDir dir;
  auto store = OpenStore(dir);
  auto id = store->BeginRun(kPeriod, 1, "h");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store->EndRun(*id, RunOutcome::kInterrupted, "stopped by SIGTERM after 3 clients").ok());
  RunRecord r = FindRun(*store, *id);
  EXPECT_EQ(r.outcome, RunOutcome::kInterrupted);
  EXPECT_EQ(r.summary, "stopped by SIGTERM after 3 clients");
  EXPECT_FALSE(r.ended_at.empty());
  EXPECT_GE(r.ended_at, r.started_at);
}

TEST(Runs, EndRunOfAnUnknownRunIsNotFound) {
  TempDir dir;
  auto store = OpenStore(dir);
  EXPECT_EQ(store->EndRun(99, RunOutcome::kFinished, "").kind(), ErrorKind::kNotFound);
  auto id = store->BeginRun(kPeriod, 1, "h");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(store->EndRun(*id, RunOutcome::kRunning, "").kind(), ErrorKind::kBadInput);
}

TEST(Runs, BeginRunMarksLeftoverRunningRunCrashed) {
  TempDir dir;
  int64_t dead_id = 0;
  {
    auto store = OpenStore(dir);
    Import(*store, {"a", "b"});
    auto id = store->BeginRun(kPeriod, 111, "old-host");
    ASSERT_TRUE(id.ok());
    dead_id = *id;
    ASSERT_TRUE(store->RecordSuccess(kPeriod, "a", dead_id, 1, MakeDownload("2026-12/a.pdf")).ok());
    // The process dies here: no EndRun.
  }
  auto store = OpenStore(dir);
  auto next = store->BeginRun(kPeriod, 222, "new-host");
  ASSERT_TRUE(next.ok());
  EXPECT_GT(*next, dead_id);

  RunRecord dead = FindRun(*store, dead_id);
  EXPECT_EQ(dead.outcome, RunOutcome::kCrashed);
  EXPECT_EQ(dead.ended_at, dead.last_done_at);  // last sign of life, not when it was found
  EXPECT_NE(dead.summary.find("pid 111 on host old-host"), std::string::npos) << dead.summary;
  EXPECT_NE(dead.summary.find("last client done: a at " + dead.last_done_at), std::string::npos) << dead.summary;
  EXPECT_EQ(FindRun(*store, *next).outcome, RunOutcome::kRunning);
}

TEST(Runs, MarkDeadRunsCrashedReturnsThemAndSaysWhereTheyStopped) {
  TempDir dir;
  auto store = OpenStore(dir);
  auto finished = store->BeginRun(kPeriod, 1, "h");
  ASSERT_TRUE(finished.ok());
  ASSERT_TRUE(store->EndRun(*finished, RunOutcome::kFinished, "all done").ok());
  auto dead = store->BeginRun(kPeriod, 2, "h");
  ASSERT_TRUE(dead.ok());

  auto marked = store->MarkDeadRunsCrashed();
  ASSERT_TRUE(marked.ok()) << marked.message();
  ASSERT_EQ(marked->size(), 1u);
  EXPECT_EQ((*marked)[0].id, *dead);
  EXPECT_EQ((*marked)[0].outcome, RunOutcome::kCrashed);
  EXPECT_NE((*marked)[0].summary.find("no client was done"), std::string::npos) << (*marked)[0].summary;
  EXPECT_EQ(FindRun(*store, *finished).outcome, RunOutcome::kFinished);  // untouched

  auto again = store->MarkDeadRunsCrashed();
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  EXPECT_EQ(FindRun(*store, *dead).outcome, RunOutcome::kCrashed);
}

TEST(Runs, RecentRunsNewestFirst) {
  TempDir dir;
  auto store = OpenStore(dir);
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    auto id = store->BeginRun(kPeriod, i, "h");
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(store->EndRun(*id, RunOutcome::kFinished, "").ok());
    ids.push_back(*id);
  }
  auto runs = store->RecentRuns(3);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[0].id, ids[4]);
  EXPECT_EQ((*runs)[2].id, ids[2]);
}

TEST(Runs, MemorySamplesKeepTheirOrder) {
  TempDir dir;
  auto store = OpenStore(dir);
  auto id = store->BeginRun(kPeriod, 1, "h");
  ASSERT_TRUE(id.ok());
  for (int i = 1; i <= 3; ++i) {
    MemorySample m;
    m.run_id = *id;
    m.clients_done = i * 5;
    m.worker_rss_kb = 30000 + i;
    m.browser_pss_kb = 200000 + i;
    m.cgroup_limit_kb = i == 3 ? 524288 : -1;
    ASSERT_TRUE(store->RecordMemorySample(m).ok());
  }
  auto samples = store->MemorySamples(*id);
  ASSERT_TRUE(samples.ok()) << samples.message();
  ASSERT_EQ(samples->size(), 3u);
  EXPECT_EQ((*samples)[0].clients_done, 5);
  EXPECT_EQ((*samples)[2].worker_rss_kb, 30003);
  EXPECT_EQ((*samples)[2].browser_pss_kb, 200003);
  EXPECT_EQ((*samples)[0].cgroup_usage_kb, -1);
  EXPECT_EQ((*samples)[2].cgroup_limit_kb, 524288);
  EXPECT_FALSE((*samples)[0].at.empty());  // stamped when not given
  EXPECT_TRUE(store->MemorySamples(*id + 1)->empty());
}

}  // namespace
}  // namespace boletos::store
