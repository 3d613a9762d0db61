// An operator's `import` or `retry` while a run writes: neither stops the
// run, nor is undone by it. The interleavings are built, not hoped for: a
// second connection holds the write lock, or a hook runs at the moment.

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include <SQLiteCpp/Database.h>

#include "store/instance_lock.h"
#include "store_test_support.h"

namespace boletos::store {
namespace {

using testing::Import;
using testing::MakeClient;
using testing::MakeDownload;
using testing::OpenStore;
using testing::TempDir;

const std::string kPeriod = "2026-12";

std::unique_ptr<Store> OpenAsRun(const TempDir& dir) {
  SqliteOptions o;
  o.busy_wait = kRunBusyWait;
  auto store = OpenSqliteStore(dir.File("boletos.db"), o);
  EXPECT_TRUE(store.ok()) << store.message();
  return std::move(store).value();
}

ExportRow Row(Store& store, const std::string& id) {
  ExportRow found;
  EXPECT_TRUE(store.ForEachExportRow(kPeriod, [&](const ExportRow& r) {
                     if (r.id == id) found = r;
                   }).ok());
  return found;
}

TEST(Concurrency, ARunsWriteWaitsOutAnotherWriterHoldingTheLockPastFiveSeconds) {
  TempDir dir;
  auto run_store = OpenAsRun(dir);
  Import(*run_store, {"a"});
  auto run = run_store->BeginRun(kPeriod, 1, "test");
  ASSERT_TRUE(run.ok());

  // An operator's long import: the write lock held for longer than a
  // command's 5 s wait, released from another thread.
  SQLite::Database holder(dir.File("boletos.db"), SQLite::OPEN_READWRITE);
  holder.exec("BEGIN IMMEDIATE");
  holder.exec("UPDATE clients SET name = 'Renamed' WHERE id = 'a'");
  auto release = std::async(std::launch::async, [&holder] {
    std::this_thread::sleep_for(std::chrono::milliseconds(6000));
    holder.exec("COMMIT");
  });
  auto s = run_store->RecordFailure(kPeriod, "a", *run, 1, "timeout", false);
  release.get();
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Row(*run_store, "a").status, "retrying");
  EXPECT_EQ(Row(*run_store, "a").name, "Renamed");  // and the import was not undone
}

TEST(Concurrency, AnImportAndARetryWhileARunWritesNeverFailTheRunsWrites) {
  TempDir dir;
  auto run_store = OpenAsRun(dir);
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.push_back("r" + std::to_string(1000 + i));
  Import(*run_store, ids);
  auto run = run_store->BeginRun(kPeriod, 1, "test");
  ASSERT_TRUE(run.ok());

  // The run-like writer: one record after another, paced like a fast run
  // (a few ms apart, not flat out: SQLite's busy wait is not fair, and a
  // writer that never pauses could starve the operator, which no run does).
  std::atomic<bool> operator_done{false};
  auto writer = std::async(std::launch::async, [&]() -> std::string {
    for (int round = 0; !operator_done || round < 2; ++round) {
      for (const std::string& id : ids) {
        if (round % 2 == 0) {
          auto failed = run_store->RecordFailure(kPeriod, id, *run, 1, "x", false);
          if (!failed.ok()) return failed.message();
        } else if (Status s = run_store->RecordSuccess(kPeriod, id, *run, 1, MakeDownload(id + ".pdf")); !s.ok()) {
          return s.message();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
    return "";
  });
  // The operator, at a terminal: a big import, then retries.
  auto op = OpenStore(dir);
  std::vector<Client> clients;
  for (int i = 0; i < 50000; ++i) clients.push_back(MakeClient("i" + std::to_string(i)));
  auto imported = op->ImportClients(clients);
  EXPECT_TRUE(imported.ok()) << imported.message();
  for (int i = 0; i < 20; ++i) {
    auto reset = op->ResetFailed(kPeriod);
    EXPECT_TRUE(reset.ok()) << reset.message();
  }
  operator_done = true;
  EXPECT_EQ(writer.get(), "") << "the run's write failed";
  EXPECT_EQ(op->Report(kPeriod)->counts.total, 50200);
}

TEST(Concurrency, ARetryDuringAnAttemptIsNotUndoneByThatAttemptsRecord) {
  TempDir dir;
  auto run_store = OpenAsRun(dir);
  Import(*run_store, {"a", "b"});
  auto run = run_store->BeginRun(kPeriod, 1, "test");
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(run_store->RecordFailure(kPeriod, "a", *run, 1, "x", false).ok());
  ASSERT_TRUE(run_store->RecordFailure(kPeriod, "b", *run, 1, "x", false).ok());
  // The run read a and b with 1 attempt and works on their second; the
  // operator's `retry` resets them meanwhile.
  ASSERT_TRUE(OpenStore(dir)->ResetFailed(kPeriod).ok());
  ASSERT_TRUE(run_store->RecordFailure(kPeriod, "a", *run, 2, "x", /*gave_up=*/true).ok());
  ASSERT_TRUE(run_store->RecordSuccess(kPeriod, "b", *run, 2, MakeDownload("b.pdf")).ok());
  ExportRow a = Row(*run_store, "a");
  EXPECT_EQ(a.status, "retrying") << "the retry was undone";
  EXPECT_EQ(a.attempts, 1);
  ExportRow b = Row(*run_store, "b");
  EXPECT_EQ(b.status, "done");
  EXPECT_EQ(b.attempts, 1);
}

TEST(Concurrency, WorkForReadsTheClientAsStoredNow) {
  TempDir dir;
  auto store = OpenStore(dir);
  Import(*store, {"a", "b"});
  auto run = store->BeginRun(kPeriod, 1, "test");
  ASSERT_TRUE(store->RecordFailure(kPeriod, "a", *run, 2, "x", false).ok());
  ASSERT_TRUE(store->RecordSuccess(kPeriod, "b", *run, 1, MakeDownload("b.pdf")).ok());
  auto a = store->WorkFor(kPeriod, "a", 6);
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->attempts, 2);
  EXPECT_EQ((*a)->status, JobStatus::kRetrying);
  EXPECT_FALSE(store->WorkFor(kPeriod, "a", 2)->has_value());  // out of attempts
  EXPECT_FALSE(store->WorkFor(kPeriod, "b", 6)->has_value());  // done
  EXPECT_FALSE(store->WorkFor(kPeriod, "zz", 6)->has_value());
}

// `status` probes the instance lock, then marks `running` runs crashed. A
// run that starts right between the two must not be marked.
TEST(DeadRuns, ARunStartingBetweenStatusProbeAndItsMarksIsNeverMarkedCrashed) {
  TempDir dir;
  const std::string db = dir.File("boletos.db");
  auto run_store = OpenStore(dir);  // the run's own connection
  std::optional<InstanceLock> run_lock;
  int64_t live_run = 0;
  auto start_run = [&] {
    auto lock = InstanceLock::Acquire(db, "boletos run");
    if (!lock.ok()) return;  // kept out while status marks: it starts after
    run_lock.emplace(std::move(*lock));
    auto id = run_store->BeginRun(kPeriod, 2, "test");
    ASSERT_TRUE(id.ok()) << id.message();
    live_run = *id;
  };
  SqliteOptions o;
  o.after_lock_probe = start_run;
  auto status = OpenSqliteStore(db, o);
  ASSERT_TRUE(status.ok());
  auto check = (*status)->MarkDeadRunsUnlessOneRuns();
  ASSERT_TRUE(check.ok()) << check.message();
  EXPECT_FALSE(check->run_alive);
  if (!run_lock) start_run();
  ASSERT_TRUE(run_lock.has_value());
  auto runs = run_store->RecentRuns(10);
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().id, live_run);
  EXPECT_EQ(runs->front().outcome, RunOutcome::kRunning) << runs->front().summary;
}

TEST(DeadRuns, StatusMarksADeadRunButNotOneWhoseRunHoldsTheLock) {
  TempDir dir;
  const std::string db = dir.File("boletos.db");
  auto store = OpenStore(dir);
  auto dead = store->BeginRun(kPeriod, 1, "test");  // nobody holds the lock: it died
  ASSERT_TRUE(dead.ok());
  auto first = store->MarkDeadRunsUnlessOneRuns();
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->run_alive);
  ASSERT_EQ(first->marked.size(), 1u);
  EXPECT_EQ(first->marked.front().id, *dead);

  auto lock = InstanceLock::Acquire(db, "boletos run");
  ASSERT_TRUE(lock.ok());
  auto live = store->BeginRun(kPeriod, 2, "test");
  auto second = store->MarkDeadRunsUnlessOneRuns();
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->run_alive);
  EXPECT_TRUE(second->marked.empty());
  EXPECT_EQ(store->RecentRuns(1)->front().outcome, RunOutcome::kRunning);
  (void)live;
}

}  // namespace
}  // namespace boletos::store
