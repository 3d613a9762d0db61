// SqliteStore: the outcome of each attempt, and `retry`.
// Each call is one IMMEDIATE transaction: the attempt row, the job row and
// the run's counters change together or not at all.

#include <SQLiteCpp/Transaction.h>

#include "core/iso_time.h"
#include "store/sqlite_error.h"
#include "store/sqlite_store.h"

namespace boletos::store {

Status SqliteStore::CheckAttemptTarget(const std::string& client_id, int64_t run_id) {
  SQLite::Statement client(*db_, "SELECT 1 FROM clients WHERE id = ?");
  client.bind(1, client_id);
  if (!client.executeStep()) {
    return MakeError(ErrorKind::kNotFound, "client " + client_id + " is not in the database " + path_ +
                                               ": import the clients file first");
  }
  SQLite::Statement run(*db_, "SELECT 1 FROM runs WHERE id = ?");
  run.bind(1, run_id);
  if (!run.executeStep()) {
    return MakeError(ErrorKind::kNotFound,
                     "run " + std::to_string(run_id) + " is not in the database " + path_ + ": call BeginRun first");
  }
  return Status::Ok();
}

int SqliteStore::CountOnStoredRow(const std::string& period, const std::string& client_id, int attempt,
                                  bool* changed) {
  SQLite::Statement q(*db_, "SELECT attempts FROM jobs WHERE client_id = ? AND period = ?");
  q.bind(1, client_id);
  q.bind(2, period);
  // No row: nothing but this run could have written one since it read none.
  *changed = q.executeStep() && q.getColumn(0).getInt() != attempt - 1;
  return *changed ? q.getColumn(0).getInt() + 1 : attempt;
}

int64_t SqliteStore::InsertAttempt(int64_t run_id, const std::string& client_id, const std::string& period,
                                   int attempt, bool ok, const std::string& error, const std::string& at) {
  SQLite::Statement q(*db_,
                      "INSERT INTO attempts (run_id, client_id, period, attempt, ok, error, at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?)");
  q.bind(1, run_id);
  q.bind(2, client_id);
  q.bind(3, period);
  q.bind(4, attempt);
  q.bind(5, ok ? 1 : 0);
  if (ok) {
    q.bind(6);
  } else {
    q.bind(6, error);
  }
  q.bind(7, at);
  q.exec();
  return db_->getLastInsertRowid();
}

Result<SqliteStore::AttemptRow> SqliteStore::AddAttempt(const std::string& period, const std::string& client_id,
                                                        int64_t run_id, int attempt, bool ok, const std::string& error) {
  if (Status s = CheckAttemptTarget(client_id, run_id); !s.ok()) return s.error();
  AttemptRow row;
  row.attempt = CountOnStoredRow(period, client_id, attempt, &row.changed);
  row.now = NowIso();
  row.id = InsertAttempt(run_id, client_id, period, row.attempt, ok, error, row.now);
  return row;
}

Result<RecordedFailure> SqliteStore::RecordFailure(const std::string& period, const std::string& client_id,
                                                   int64_t run_id, int attempt, const std::string& error,
                                                   bool gave_up) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "record a failure of client " + client_id, [&]() -> Result<RecordedFailure> {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    auto row = AddAttempt(period, client_id, run_id, attempt, false, error);
    if (!row.ok()) return row.error();
    attempt = row->attempt;
    if (row->changed) gave_up = false;
    const std::string& now = row->now;
    int64_t attempt_id = row->id;
    // A done row is final: a late failure report must not undo it.
    SQLite::Statement job(*db_,
                          "INSERT INTO jobs (client_id, period, status, attempts, last_error, updated_at,"
                          " last_attempt_id) VALUES (:client, :period, :status, :attempts, :error, :now, :attempt_id)"
                          " ON CONFLICT (client_id, period) DO UPDATE SET status = excluded.status,"
                          " attempts = excluded.attempts, last_error = excluded.last_error,"
                          " updated_at = excluded.updated_at, last_attempt_id = excluded.last_attempt_id"
                          " WHERE jobs.status <> 'done'");
    job.bind(":client", client_id);
    job.bind(":period", period);
    job.bind(":status", gave_up ? "failed" : "retrying");
    job.bind(":attempts", attempt);
    job.bind(":error", error);
    job.bind(":now", now);
    job.bind(":attempt_id", attempt_id);
    job.exec();
    SQLite::Statement run(*db_, "UPDATE runs SET failed_attempts = failed_attempts + 1 WHERE id = ?");
    run.bind(1, run_id);
    run.exec();
    tx.commit();
    return RecordedFailure{attempt, gave_up};
  });
}

Status SqliteStore::RecordSuccess(const std::string& period, const std::string& client_id, int64_t run_id,
                                  int attempt, const Download& download) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "record the boleto of client " + client_id, [&]() -> Status {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    auto row = AddAttempt(period, client_id, run_id, attempt, true, "");
    if (!row.ok()) return row.error();
    attempt = row->attempt;
    const std::string& now = row->now;
    int64_t attempt_id = row->id;
    const SlipFacts& f = download.facts;
    SQLite::Statement job(*db_,
                          "INSERT INTO jobs (client_id, period, status, attempts, last_error, file, bytes, sha256,"
                          " linha_digitavel, barcode, bank, amount, due_date, warnings, downloaded_at, updated_at,"
                          " last_attempt_id) VALUES (:client, :period, 'done', :attempts, NULL, :file, :bytes,"
                          " :sha256, :linha, :barcode, :bank, :amount, :due, :warnings, :now, :now, :attempt_id)"
                          " ON CONFLICT (client_id, period) DO UPDATE SET status = 'done',"
                          " attempts = excluded.attempts, last_error = NULL, file = excluded.file,"
                          " bytes = excluded.bytes, sha256 = excluded.sha256,"
                          " linha_digitavel = excluded.linha_digitavel, barcode = excluded.barcode,"
                          " bank = excluded.bank, amount = excluded.amount, due_date = excluded.due_date,"
                          " warnings = excluded.warnings, downloaded_at = excluded.downloaded_at,"
                          " updated_at = excluded.updated_at, last_attempt_id = excluded.last_attempt_id");
    // Empty facts are stored as NULL, so export prints them as empty / null.
    auto text = [&job](const char* name, const std::string& value) {
      if (value.empty()) {
        job.bind(name);
      } else {
        job.bind(name, value);
      }
    };
    job.bind(":client", client_id);
    job.bind(":period", period);
    job.bind(":attempts", attempt);
    job.bind(":file", download.file);
    job.bind(":bytes", download.bytes);
    text(":sha256", download.sha256);
    text(":linha", f.linha_digitavel);
    text(":barcode", f.barcode);
    text(":bank", f.bank);
    text(":amount", f.amount);
    text(":due", f.due_date);
    text(":warnings", f.warnings.empty() ? std::string() : nlohmann::json(f.warnings).dump());
    job.bind(":now", now);
    job.bind(":attempt_id", attempt_id);
    job.exec();
    SQLite::Statement run(*db_,
                          "UPDATE runs SET done = done + 1, last_done_client = ?, last_done_at = ? WHERE id = ?");
    run.bind(1, client_id);
    run.bind(2, now);
    run.bind(3, run_id);
    run.exec();
    tx.commit();
    return Status::Ok();
  });
}

Status SqliteStore::RecordNone(const std::string& period, const std::string& client_id, int64_t run_id,
                               int attempt, const std::string& why) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "record that client " + client_id + " has no slip", [&]() -> Status {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    auto row = AddAttempt(period, client_id, run_id, attempt, true, "");
    if (!row.ok()) return row.error();
    // A done row is final: the slip is on disk, whatever a later page says.
    SQLite::Statement job(*db_,
                          "INSERT INTO jobs (client_id, period, status, attempts, last_error, warnings, updated_at,"
                          " last_attempt_id) VALUES (:client, :period, 'none', :attempts, NULL, :warnings, :now,"
                          " :attempt_id) ON CONFLICT (client_id, period) DO UPDATE SET status = 'none',"
                          " attempts = excluded.attempts, last_error = NULL, warnings = excluded.warnings,"
                          " updated_at = excluded.updated_at, last_attempt_id = excluded.last_attempt_id"
                          " WHERE jobs.status <> 'done'");
    job.bind(":client", client_id);
    job.bind(":period", period);
    job.bind(":warnings", nlohmann::json::array({"no slip this period: " + why}).dump());
    job.bind(":attempts", row->attempt);
    job.bind(":now", row->now);
    job.bind(":attempt_id", row->id);
    job.exec();
    tx.commit();
    return Status::Ok();
  });
}

Result<int> SqliteStore::ResetFailed(const std::string& period, bool include_none) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "put the failed clients of " + period + " back to pending", [&]() -> Result<int> {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    // The history stays in `attempts`; the job row starts over.
    SQLite::Statement q(*db_,
                        std::string("UPDATE jobs SET status = 'pending', attempts = 0, last_error = NULL,"
                                    " warnings = CASE WHEN status = 'none' THEN NULL ELSE warnings END,"
                                    " updated_at = ? WHERE period = ? AND status IN ('failed', 'retrying'") +
                            (include_none ? ", 'none')" : ")"));
    q.bind(1, NowIso());
    q.bind(2, period);
    int changed = q.exec();
    tx.commit();
    return changed;
  });
}

}  // namespace boletos::store
