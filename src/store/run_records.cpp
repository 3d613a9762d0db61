// SqliteStore: runs (how each one started and ended) and memory samples.

#include <algorithm>

#include <SQLiteCpp/Transaction.h>

#include "store/instance_lock.h"
#include "store/sqlite_columns.h"
#include "core/iso_time.h"
#include "store/sqlite_error.h"
#include "store/sqlite_store.h"
#include "store/store_names.h"

namespace boletos::store {
namespace {

// The latest time the run wrote anything: when it was last seen alive.
std::string LastSignOfLife(SQLite::Database& db, const RunRecord& run) {
  std::string latest = std::max(run.started_at, run.last_done_at);
  for (const char* sql : {"SELECT max(at) FROM attempts WHERE run_id = ?",
                          "SELECT max(at) FROM memory_samples WHERE run_id = ?"}) {
    SQLite::Statement q(db, sql);
    q.bind(1, run.id);
    if (q.executeStep() && !q.getColumn(0).isNull()) latest = std::max(latest, q.getColumn(0).getString());
  }
  return latest;
}

std::string CrashSummary(const RunRecord& run, const std::string& last_seen) {
  std::string s = "run " + std::to_string(run.id) + " died without finishing (pid " + std::to_string(run.pid) +
                  " on host " + run.host + ": killed, out of memory or the machine stopped); last seen " +
                  last_seen + " with " + std::to_string(run.done) + " done, " +
                  std::to_string(run.failed_attempts) + " failed attempts; ";
  if (run.last_done_client.empty()) return s + "no client was done in that run";
  return s + "last client done: " + run.last_done_client + " at " + run.last_done_at;
}

}  // namespace

const char* const kRunColumns =
    "id, period, pid, host, started_at, ended_at, outcome, summary, last_done_client, last_done_at, done,"
    " failed_attempts";

RunRecord ReadRun(SQLite::Statement& q) {
  RunRecord r;
  r.id = q.getColumn(0).getInt64();
  r.period = q.getColumn(1).getString();
  r.pid = q.getColumn(2).getInt64();
  r.host = q.getColumn(3).getString();
  r.started_at = q.getColumn(4).getString();
  r.ended_at = OptionalText(q, 5);
  r.outcome = ParseRunOutcome(q.getColumn(6).getString()).value_or(RunOutcome::kCrashed);
  r.summary = q.getColumn(7).getString();
  r.last_done_client = OptionalText(q, 8);
  r.last_done_at = OptionalText(q, 9);
  r.done = q.getColumn(10).getInt();
  r.failed_attempts = q.getColumn(11).getInt();
  return r;
}

const char* const kMemoryColumns =
    "run_id, at, clients_done, worker_rss_kb, browser_pss_kb, cgroup_usage_kb, cgroup_limit_kb";

MemorySample ReadMemorySample(SQLite::Statement& q) {
  MemorySample m;
  m.run_id = q.getColumn(0).getInt64();
  m.at = q.getColumn(1).getString();
  m.clients_done = q.getColumn(2).getInt();
  m.worker_rss_kb = q.getColumn(3).getInt64();
  m.browser_pss_kb = q.getColumn(4).getInt64();
  m.cgroup_usage_kb = q.getColumn(5).getInt64();
  m.cgroup_limit_kb = q.getColumn(6).getInt64();
  return m;
}

std::vector<RunRecord> SqliteStore::QueryRuns(const std::string& where_and_order, int limit) {
  SQLite::Statement q(*db_, std::string("SELECT ") + kRunColumns + " FROM runs " + where_and_order + " LIMIT ?");
  q.bind(1, limit);
  std::vector<RunRecord> runs;
  while (q.executeStep()) runs.push_back(ReadRun(q));
  return runs;
}

// Call inside a write transaction.
std::vector<RunRecord> SqliteStore::MarkRunningCrashed() {
  std::vector<RunRecord> dead = QueryRuns("WHERE outcome = 'running' ORDER BY id", -1);
  SQLite::Statement mark(*db_, "UPDATE runs SET outcome = 'crashed', ended_at = ?, summary = ? WHERE id = ?");
  for (RunRecord& run : dead) {
    std::string last_seen = LastSignOfLife(*db_, run);
    run.outcome = RunOutcome::kCrashed;
    run.ended_at = last_seen;
    run.summary = CrashSummary(run, last_seen);
    mark.bind(1, run.ended_at);
    mark.bind(2, run.summary);
    mark.bind(3, run.id);
    mark.exec();
    mark.reset();
  }
  return dead;
}

Result<int64_t> SqliteStore::BeginRun(const std::string& period, int64_t pid, const std::string& host) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "record the start of a run", [&]() -> Result<int64_t> {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    MarkRunningCrashed();
    SQLite::Statement q(*db_,
                        "INSERT INTO runs (period, pid, host, started_at, outcome) VALUES (?, ?, ?, ?, 'running')");
    q.bind(1, period);
    q.bind(2, pid);
    q.bind(3, host);
    q.bind(4, NowIso());
    q.exec();
    int64_t id = db_->getLastInsertRowid();
    tx.commit();
    return id;
  });
}

Status SqliteStore::EndRun(int64_t run_id, RunOutcome outcome, const std::string& summary) {
  if (outcome == RunOutcome::kRunning) {
    return MakeError(ErrorKind::kBadInput, "EndRun needs how the run ended, not `running`");
  }
  std::lock_guard lock(mu_);
  return Guarded(path_, "record the end of run " + std::to_string(run_id), [&]() -> Status {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement q(*db_, "UPDATE runs SET ended_at = ?, outcome = ?, summary = ? WHERE id = ?");
    q.bind(1, NowIso());
    q.bind(2, RunOutcomeName(outcome));
    q.bind(3, summary);
    q.bind(4, run_id);
    if (q.exec() == 0) {
      return MakeError(ErrorKind::kNotFound, "run " + std::to_string(run_id) + " is not in the database " + path_);
    }
    tx.commit();
    return Status::Ok();
  });
}

Result<std::vector<RunRecord>> SqliteStore::MarkDeadRunsCrashed() {
  std::lock_guard lock(mu_);
  return Guarded(path_, "mark dead runs as crashed", [&]() -> Result<std::vector<RunRecord>> {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    std::vector<RunRecord> dead = MarkRunningCrashed();
    tx.commit();
    return dead;
  });
}

Result<DeadRunCheck> SqliteStore::MarkDeadRunsUnlessOneRuns() {
  std::lock_guard lock(mu_);
  return Guarded(path_, "mark dead runs as crashed", [&]() -> Result<DeadRunCheck> {
    // A live run is the usual case: say so without asking for the write
    // lock, which would queue `status` behind the run's (or an import's)
    // writes. Only when no run holds the lock, the write lock first, then
    // the probe again: the probe (which keeps a run from starting) is held
    // only for the marks, never while waiting.
    if (LockProbe::Take(path_).run_alive()) return DeadRunCheck{/*run_alive=*/true, {}};
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    LockProbe probe = LockProbe::Take(path_);
    if (options_.after_lock_probe) options_.after_lock_probe();
    DeadRunCheck check;
    check.run_alive = probe.run_alive();
    if (check.run_alive) return check;  // nothing written: the transaction rolls back
    check.marked = MarkRunningCrashed();
    tx.commit();
    return check;
  });
}

Result<std::vector<RunRecord>> SqliteStore::RecentRuns(int limit) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "read the recent runs",
                 [&]() -> Result<std::vector<RunRecord>> { return QueryRuns("ORDER BY id DESC", limit); });
}

Status SqliteStore::RecordMemorySample(const MemorySample& sample) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "record a memory sample", [&]() -> Status {
    SQLite::Statement q(*db_, std::string("INSERT INTO memory_samples (") + kMemoryColumns +
                                  ") VALUES (?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, sample.run_id);
    q.bind(2, sample.at.empty() ? NowIso() : sample.at);
    q.bind(3, sample.clients_done);
    q.bind(4, sample.worker_rss_kb);
    q.bind(5, sample.browser_pss_kb);
    q.bind(6, sample.cgroup_usage_kb);
    q.bind(7, sample.cgroup_limit_kb);
    q.exec();  // autocommit: one statement is its own transaction
    return Status::Ok();
  });
}

Result<std::vector<MemorySample>> SqliteStore::MemorySamples(int64_t run_id) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "read the memory samples of run " + std::to_string(run_id),
                 [&]() -> Result<std::vector<MemorySample>> {
                   SQLite::Statement q(*db_, std::string("SELECT ") + kMemoryColumns +
                                                 " FROM memory_samples WHERE run_id = ? ORDER BY rowid");
                   q.bind(1, run_id);
                   std::vector<MemorySample> samples;
                   while (q.executeStep()) samples.push_back(ReadMemorySample(q));
                   return samples;
                 });
}

}  // namespace boletos::store
