#include "store/schema.h"

#include <string>
#include <vector>

#include <SQLiteCpp/Transaction.h>

namespace boletos::store {
namespace {

struct Migration {
  int version;
  const char* why;
  std::string sql;
};

// The runs table under a name, with the outcomes its CHECK allows (as
// JobsTable below, for the same reason).
std::string RunsTable(const std::string& name, const std::string& outcomes) {
  return "CREATE TABLE " + name + R"sql( (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: higher is newer
  period           TEXT NOT NULL,
  pid              INTEGER NOT NULL,
  host             TEXT NOT NULL,
  started_at       TEXT NOT NULL,
  ended_at         TEXT,
  outcome          TEXT NOT NULL CHECK (outcome IN ()sql" + outcomes + R"sql()),
  summary          TEXT NOT NULL DEFAULT '',
  last_done_client TEXT,
  last_done_at     TEXT,
  done             INTEGER NOT NULL DEFAULT 0,
  failed_attempts  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX )sql" + name + "_running ON " + name + "(id) WHERE outcome = 'running';\n";
}

// The jobs table under a name, with the statuses its CHECK allows: the
// same columns in every version, so a migration that widens the CHECK
// (SQLite cannot alter one) copies the rows over as they are.
std::string JobsTable(const std::string& name, const std::string& statuses) {
  return "CREATE TABLE " + name + R"sql( (
  client_id       TEXT NOT NULL REFERENCES clients(id),
  period          TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ()sql" + statuses + R"sql()),
  attempts        INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT,
  file            TEXT,
  bytes           INTEGER,
  sha256          TEXT,
  linha_digitavel TEXT,
  barcode         TEXT,
  bank            TEXT,
  amount          TEXT,
  due_date        TEXT,
  warnings        TEXT,                 -- JSON array of strings
  downloaded_at   TEXT,
  updated_at      TEXT NOT NULL,
  last_attempt_id INTEGER,              -- attempts.id of the latest attempt: "most recent" without clock ties
  PRIMARY KEY (client_id, period)
);
CREATE INDEX )sql" + name + "_by_status ON " + name + R"sql((period, status, last_attempt_id);
CREATE INDEX )sql" + name + "_by_file ON " + name + "(period, file) WHERE file IS NOT NULL;\n";
}

// Text primary keys use SQLite's BINARY collation, so ORDER BY id is the
// byte-wise order the Store contract promises.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> migrations = {
      {1, "first schema", R"sql(
CREATE TABLE clients (
  id          TEXT PRIMARY KEY NOT NULL,
  name        TEXT NOT NULL,
  document    TEXT NOT NULL DEFAULT '',
  columns     TEXT NOT NULL,            -- JSON object: every CSV column
  imported_at TEXT NOT NULL
);

)sql" + RunsTable("runs", "'running','finished','failed','portal_down','interrupted','crashed'") + R"sql(

)sql" + JobsTable("jobs", "'pending','retrying','failed','done'") + R"sql(
CREATE TABLE attempts (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id    INTEGER NOT NULL REFERENCES runs(id),
  client_id TEXT NOT NULL REFERENCES clients(id),
  period    TEXT NOT NULL,
  attempt   INTEGER NOT NULL,
  ok        INTEGER NOT NULL,
  error     TEXT,
  at        TEXT NOT NULL
);
CREATE INDEX attempts_by_client ON attempts(client_id, period, id);
CREATE INDEX attempts_by_run ON attempts(run_id);

CREATE TABLE memory_samples (
  run_id          INTEGER NOT NULL REFERENCES runs(id),
  at              TEXT NOT NULL,
  clients_done    INTEGER NOT NULL,
  worker_rss_kb   INTEGER NOT NULL,
  browser_pss_kb  INTEGER NOT NULL,
  cgroup_usage_kb INTEGER NOT NULL,     -- -1: not known
  cgroup_limit_kb INTEGER NOT NULL
);
CREATE INDEX memory_samples_by_run ON memory_samples(run_id);
)sql"},
      {2, "status none (no slip this period) and runs stopped for a human (a CAPTCHA)",
       RunsTable("runs_v2", "'running','finished','failed','portal_down','interrupted','crashed','human_needed'") +
           JobsTable("jobs_v2", "'pending','retrying','failed','done','none'") + R"sql(
INSERT INTO runs_v2 SELECT * FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v2 RENAME TO runs;
DROP INDEX runs_v2_running;
CREATE INDEX runs_running ON runs(id) WHERE outcome = 'running';
INSERT INTO jobs_v2 SELECT * FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_v2 RENAME TO jobs;
DROP INDEX jobs_v2_by_status;
DROP INDEX jobs_v2_by_file;
CREATE INDEX jobs_by_status ON jobs(period, status, last_attempt_id);
CREATE INDEX jobs_by_file ON jobs(period, file) WHERE file IS NOT NULL;
)sql"},
  };
  return migrations;
}

}  // namespace

int LatestSchemaVersion() { return Migrations().back().version; }

Status MigrateSchema(SQLite::Database& db, const std::string& db_path) {
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  int version = db.execAndGet("PRAGMA user_version").getInt();
  if (version > LatestSchemaVersion()) {
    return MakeError(ErrorKind::kBadInput, db_path + " was written by a newer boletos (schema version " +
                                               std::to_string(version) + ", this one knows up to " +
                                               std::to_string(LatestSchemaVersion()) + "): upgrade boletos");
  }
  if (version == 0 && db.execAndGet("SELECT count(*) FROM sqlite_master").getInt() > 0) {
    return MakeError(ErrorKind::kBadInput, db_path +
                                               " is not a boletos database (it is a SQLite file with other "
                                               "tables): move it away or pass another --db");
  }
  tx.commit();
  if (version == LatestSchemaVersion()) return Status::Ok();

  // A migration may rebuild a table others refer to (SQLite cannot alter a
  // CHECK); foreign keys are off meanwhile, as SQLite's own procedure for
  // that says, and checked before each step commits.
  db.exec("PRAGMA foreign_keys = OFF");
  for (const Migration& m : Migrations()) {
    if (m.version <= version) continue;
    // IMMEDIATE: two processes opening a fresh file at once must not both
    // read version N and both try to apply N+1.
    SQLite::Transaction step(db, SQLite::TransactionBehavior::IMMEDIATE);
    int now = db.execAndGet("PRAGMA user_version").getInt();
    if (now >= m.version) continue;  // another process got here first
    db.exec(m.sql);
    if (db.execAndGet("SELECT count(*) FROM pragma_foreign_key_check").getInt() > 0) {
      db.exec("PRAGMA foreign_keys = ON");  // the step rolls back as it goes out of scope
      return MakeError(ErrorKind::kIo, db_path + ": migrating to schema version " + std::to_string(m.version) +
                                           " left rows pointing at nothing; nothing was changed: restore a backup");
    }
    db.exec("PRAGMA user_version = " + std::to_string(m.version));
    step.commit();
    version = m.version;
  }
  db.exec("PRAGMA foreign_keys = ON");
  return Status::Ok();
}

}  // namespace boletos::store
