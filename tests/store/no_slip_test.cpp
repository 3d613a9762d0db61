// Status `none`: the portal says a client has no slip this period. It is
// final like done (no run takes it again), counted apart, kept with what
// the flow saw, and only `retry --none` puts it back. A database written
// before `none` existed is migrated with its rows intact.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include "store_test_support.h"

namespace boletos::store {
namespace {

using namespace testing;  // this folder's: TempDir, OpenStore, Import, MakeDownload, Ids

constexpr int kMaxAttempts = 6;
const std::string kPeriod = "2026-12";

std::map<std::string, ExportRow> Rows(Store& store) {
  std::map<std::string, ExportRow> rows;
  Status s = store.ForEachExportRow(kPeriod, [&](const ExportRow& r) { rows[r.id] = r; });
  EXPECT_TRUE(s.ok()) << s.message();
  return rows;
}

std::vector<std::string> Work(Store& store) {
  auto next = store.NextWork(kPeriod, "", 100, kMaxAttempts);
  EXPECT_TRUE(next.ok()) << next.message();
  return next.ok() ? Ids(*next) : std::vector<std::string>{};
}

TEST(NoSlip, ANoneClientIsFinalCountedApartAndKeepsWhatTheFlowSaw) {
  TempDir dir;
  auto store = OpenStore(dir);
  Import(*store, {"a", "b", "c"});
  int64_t run = *store->BeginRun(kPeriod, 42, "host");
  ASSERT_TRUE(store->RecordFailure(kPeriod, "a", run, 1, "timeout", false).ok());
  ASSERT_TRUE(store->RecordNone(kPeriod, "a", run, 2, "none_if text Nenhum boleto (flow.yaml:9)").ok());

  EXPECT_EQ(Work(*store), (std::vector<std::string>{"b", "c"}));
  auto work_for = store->WorkFor(kPeriod, "a", kMaxAttempts);
  ASSERT_TRUE(work_for.ok());
  EXPECT_FALSE(work_for->has_value());
  auto report = store->Report(kPeriod);
  ASSERT_TRUE(report.ok()) << report.message();
  EXPECT_EQ(report->counts.none, 1);
  EXPECT_EQ(report->counts.done, 0);
  EXPECT_EQ(report->counts.retrying, 0);
  ExportRow a = Rows(*store).at("a");
  EXPECT_EQ(a.status, "none");
  EXPECT_EQ(a.attempts, 2);
  EXPECT_EQ(a.last_error, "");
  EXPECT_EQ(a.facts.warnings, (std::vector<std::string>{"no slip this period: none_if text Nenhum boleto (flow.yaml:9)"}));
}

TEST(NoSlip, ADoneClientStaysDoneWhateverALaterPageSays) {
  TempDir dir;
  auto store = OpenStore(dir);
  Import(*store, {"a"});
  int64_t run = *store->BeginRun(kPeriod, 42, "host");
  ASSERT_TRUE(store->RecordSuccess(kPeriod, "a", run, 1, MakeDownload("2026-12/a.pdf")).ok());
  ASSERT_TRUE(store->RecordNone(kPeriod, "a", run, 2, "none_if #vazio (flow.yaml:9)").ok());
  ExportRow a = Rows(*store).at("a");
  EXPECT_EQ(a.status, "done");
  EXPECT_EQ(a.file, "2026-12/a.pdf");
}

TEST(NoSlip, RetryLeavesNoneClientsAloneAndRetryNoneBringsThemBack) {
  TempDir dir;
  auto store = OpenStore(dir);
  Import(*store, {"a", "b", "c"});
  int64_t run = *store->BeginRun(kPeriod, 42, "host");
  ASSERT_TRUE(store->RecordNone(kPeriod, "a", run, 1, "none_if #vazio (flow.yaml:9)").ok());
  ASSERT_TRUE(store->RecordFailure(kPeriod, "b", run, 6, "timeout", true).ok());
  ASSERT_TRUE(store->RecordSuccess(kPeriod, "c", run, 1, MakeDownload("2026-12/c.pdf")).ok());

  auto failed_only = store->ResetFailed(kPeriod);
  ASSERT_TRUE(failed_only.ok()) << failed_only.message();
  EXPECT_EQ(*failed_only, 1);
  EXPECT_EQ(Work(*store), (std::vector<std::string>{"b"}));

  auto with_none = store->ResetFailed(kPeriod, /*include_none=*/true);
  ASSERT_TRUE(with_none.ok()) << with_none.message();
  EXPECT_EQ(*with_none, 1);  // a: b is pending already, c is done
  EXPECT_EQ(Work(*store), (std::vector<std::string>{"a", "b"}));
  ExportRow a = Rows(*store).at("a");
  EXPECT_EQ(a.status, "pending");
  EXPECT_EQ(a.attempts, 0);
  EXPECT_TRUE(a.facts.warnings.empty()) << "the no-slip note goes with the status";
  EXPECT_EQ(Rows(*store).at("c").status, "done");
}

TEST(NoSlip, ADatabaseFromBeforeNoneIsMigratedWithItsRows) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    Import(*store, {"a", "b"});
    int64_t run = *store->BeginRun(kPeriod, 42, "host");
    ASSERT_TRUE(store->RecordSuccess(kPeriod, "a", run, 1, MakeDownload("2026-12/a.pdf")).ok());
    ASSERT_TRUE(store->RecordFailure(kPeriod, "b", run, 1, "timeout", false).ok());
  }
  {
    // Back to schema 1 as it was written: the jobs table's CHECK without
    // 'none', the same columns and rows.
    SQLite::Database db(dir.File("boletos.db"), SQLite::OPEN_READWRITE);
    std::string sql = db.execAndGet("SELECT sql FROM sqlite_master WHERE name = 'jobs'").getString();
    auto at = sql.find(",'none'");
    ASSERT_NE(at, std::string::npos) << sql;
    sql.erase(at, 7);
    // (SQLite keeps a renamed table's name quoted: CREATE TABLE "jobs" (...)
    sql.replace(0, sql.find('('), "CREATE TABLE jobs_v1 ");
    db.exec(sql);
    db.exec("INSERT INTO jobs_v1 SELECT * FROM jobs; DROP TABLE jobs; ALTER TABLE jobs_v1 RENAME TO jobs;"
            "PRAGMA user_version = 1;");
    EXPECT_THROW(db.exec("UPDATE jobs SET status = 'none' WHERE client_id = 'b'"), SQLite::Exception);
  }
  auto store = OpenStore(dir);
  int64_t run = *store->BeginRun(kPeriod, 43, "host");
  ASSERT_TRUE(store->RecordNone(kPeriod, "b", run, 2, "none_if #vazio (flow.yaml:9)").ok());
  auto rows = Rows(*store);
  EXPECT_EQ(rows.at("a").status, "done");
  EXPECT_EQ(rows.at("a").file, "2026-12/a.pdf");
  EXPECT_EQ(rows.at("b").status, "none");
  EXPECT_EQ(rows.at("b").attempts, 2);
}

}  // namespace
}  // namespace boletos::store
