// `status` and `export`: what they read from the store.

#include <gtest/gtest.h>

#include "store_test_support.h"

namespace boletos::store {
namespace {

using testing::Import;
using testing::MakeDownload;
using testing::OpenStore;
using testing::TempDir;

const std::string kPeriod = "2026-12";

struct Fixture {
  TempDir dir;
  std::unique_ptr<Store> store = OpenStore(dir);
  int64_t run = 0;
  explicit Fixture(const std::vector<std::string>& ids) {
    Import(*store, ids);
    run = *store->BeginRun(kPeriod, 7, "h");
  }
  StatusReport Report() {
    auto r = store->Report(kPeriod);
    EXPECT_TRUE(r.ok()) << r.message();
    return r.ok() ? *r : StatusReport{};
  }
  std::vector<ExportRow> Export(const std::string& period = kPeriod) {
    std::vector<ExportRow> rows;
    Status s = store->ForEachExportRow(period, [&](const ExportRow& r) { rows.push_back(r); });
    EXPECT_TRUE(s.ok()) << s.message();
    return rows;
  }
};

TEST(Report, CountsClientsByStatus) {
  Fixture f({"a", "b", "c", "d", "e", "f"});
  ASSERT_TRUE(f.store->RecordSuccess(kPeriod, "a", f.run, 1, MakeDownload("2026-12/a.pdf")).ok());
  ASSERT_TRUE(f.store->RecordSuccess(kPeriod, "b", f.run, 1, MakeDownload("2026-12/b.pdf")).ok());
  ASSERT_TRUE(f.store->RecordFailure(kPeriod, "c", f.run, 6, "x", true).ok());
  ASSERT_TRUE(f.store->RecordFailure(kPeriod, "d", f.run, 1, "x", false).ok());
  ASSERT_TRUE(f.store->RecordFailure(kPeriod, "e", f.run, 6, "x", true).ok());
  ASSERT_TRUE(f.store->ResetFailed(kPeriod).ok());  // c, d, e pending again
  ASSERT_TRUE(f.store->RecordFailure(kPeriod, "e", f.run, 1, "x", true).ok());  // the first attempt since

  StatusReport r = f.Report();
  EXPECT_EQ(r.period, kPeriod);
  EXPECT_EQ(r.counts.total, 6);
  EXPECT_EQ(r.counts.done, 2);
  EXPECT_EQ(r.counts.failed, 1);
  EXPECT_EQ(r.counts.retrying, 0);
  EXPECT_EQ(r.counts.pending, 3);  // c, d (reset) and f (never tried)
}

TEST(Report, LastSuccessIsTheMostRecentDoneClient) {
  Fixture f({"a", "b", "c"});
  EXPECT_FALSE(f.Report().last_success.has_value());
  ASSERT_TRUE(f.store->RecordSuccess(kPeriod, "c", f.run, 1, MakeDownload("2026-12/c.pdf")).ok());
  ASSERT_TRUE(f.store->RecordSuccess(kPeriod, "a", f.run, 1, MakeDownload("2026-12/a.pdf")).ok());
  StatusReport r = f.Report();
  ASSERT_TRUE(r.last_success.has_value());
  EXPECT_EQ(r.last_success->id, "a");  // newest, not the highest id
  EXPECT_EQ(r.last_success->file, "2026-12/a.pdf");
}

TEST(Report, RecentFailuresNewestFirstWithLastError) {
  Fixture f({"a", "b", "c"});
  ASSERT_TRUE(f.store->RecordFailure(kPeriod, "b", f.run, 1, "first", false).ok());
  ASSERT_TRUE(f.store->RecordFailure(kPeriod, "a", f.run, 6, "gave up", true).ok());
  ASSERT_TRUE(f.store->RecordFailure(kPeriod, "b", f.run, 2, "second", false).ok());
  StatusReport r = f.Report();
  ASSERT_EQ(r.recent_failures.size(), 2u);
  EXPECT_EQ(r.recent_failures[0].id, "b");
  EXPECT_EQ(r.recent_failures[0].last_error, "second");
  EXPECT_EQ(r.recent_failures[0].status, "retrying");
  EXPECT_EQ(r.recent_failures[1].id, "a");
  EXPECT_EQ(r.recent_failures[1].status, "failed");
}

TEST(Report, RecentFailuresAreAtMostTen) {
  std::vector<std::string> ids;
  for (int i = 0; i < 15; ++i) ids.push_back("c" + std::to_string(i));
  Fixture f(ids);
  for (const auto& id : ids) ASSERT_TRUE(f.store->RecordFailure(kPeriod, id, f.run, 1, "x", false).ok());
  EXPECT_EQ(f.Report().recent_failures.size(), 10u);
}

TEST(Report, CrashedRunStaysVisibleWithItsLastClientUntilTheNextRun) {
  Fixture f({"a", "b"});
  ASSERT_TRUE(f.store->RecordSuccess(kPeriod, "a", f.run, 1, MakeDownload("2026-12/a.pdf")).ok());
  ASSERT_TRUE(f.store->MarkDeadRunsCrashed().ok());  // e.g. `status` found the lock free
  ASSERT_TRUE(f.store->ResetFailed(kPeriod).ok());   // other commands in between
  StatusReport r = f.Report();
  ASSERT_FALSE(r.recent_runs.empty());
  EXPECT_EQ(r.recent_runs[0].outcome, RunOutcome::kCrashed);
  EXPECT_EQ(r.recent_runs[0].last_done_client, "a");
  EXPECT_NE(r.recent_runs[0].summary.find("last client done: a"), std::string::npos);
}

TEST(Report, LastMemorySampleIsOfTheNewestRunThatHasOne) {
  Fixture f({"a"});
  MemorySample m;
  m.run_id = f.run;
  m.worker_rss_kb = 111;
  ASSERT_TRUE(f.store->RecordMemorySample(m).ok());
  m.worker_rss_kb = 222;
  ASSERT_TRUE(f.store->RecordMemorySample(m).ok());
  ASSERT_TRUE(f.store->BeginRun(kPeriod, 8, "h").ok());  // a newer run without samples
  StatusReport r = f.Report();
  ASSERT_TRUE(r.last_memory.has_value());
  EXPECT_EQ(r.last_memory->run_id, f.run);
  EXPECT_EQ(r.last_memory->worker_rss_kb, 222);
  EXPECT_EQ(r.recent_runs.size(), 2u);
}

TEST(Export, RowsInIdOrderWithPendingForUntouchedClients) {
  Fixture f({"c", "a", "b"});
  ASSERT_TRUE(f.store->RecordFailure(kPeriod, "b", f.run, 2, "timeout waiting for a.boleto", false).ok());
  auto rows = f.Export();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].id, "a");
  EXPECT_EQ(rows[0].status, "pending");
  EXPECT_EQ(rows[0].period, kPeriod);
  EXPECT_EQ(rows[0].attempts, 0);
  EXPECT_FALSE(rows[0].bytes.has_value());
  EXPECT_EQ(rows[1].id, "b");
  EXPECT_EQ(rows[1].status, "retrying");
  EXPECT_EQ(rows[1].attempts, 2);
  EXPECT_EQ(rows[1].last_error, "timeout waiting for a.boleto");
  EXPECT_EQ(rows[2].id, "c");
  EXPECT_EQ(rows[2].status, "pending");
}

TEST(Export, DoneRowCarriesFileHashAndSlipFacts) {
  Fixture f({"a"});
  ASSERT_TRUE(f.store->RecordFailure(kPeriod, "a", f.run, 1, "timeout", false).ok());
  Download d = MakeDownload("2026-12/Ana_DEZEMBRO.pdf");
  d.bytes = 48213;
  d.facts.linha_digitavel = "34191090080000000000000000000001234567890123456";
  d.facts.barcode = "34191234567890123456789012345678901234567890";
  d.facts.bank = "341";
  d.facts.amount = "109.51";
  d.facts.due_date = "2026-12-10";
  d.facts.warnings = {"printed due date wins", "second warning"};
  ASSERT_TRUE(f.store->RecordSuccess(kPeriod, "a", f.run, 2, d).ok());

  auto rows = f.Export();
  ASSERT_EQ(rows.size(), 1u);
  const ExportRow& r = rows[0];
  EXPECT_EQ(r.status, "done");
  EXPECT_EQ(r.file, "2026-12/Ana_DEZEMBRO.pdf");
  EXPECT_EQ(r.bytes, 48213);
  EXPECT_EQ(r.sha256, d.sha256);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.last_error, "");  // done clears the error; the attempts table keeps it
  EXPECT_EQ(r.facts.linha_digitavel, d.facts.linha_digitavel);
  EXPECT_EQ(r.facts.barcode, d.facts.barcode);
  EXPECT_EQ(r.facts.bank, "341");
  EXPECT_EQ(r.facts.amount, "109.51");
  EXPECT_EQ(r.facts.due_date, "2026-12-10");
  EXPECT_EQ(r.facts.warnings, d.facts.warnings);
  EXPECT_EQ(r.downloaded_at.size(), 24u) << r.downloaded_at;
  EXPECT_EQ(r.downloaded_at.back(), 'Z');
}

TEST(Export, ADoneClientIsPendingInAnotherPeriod) {
  Fixture f({"a"});
  ASSERT_TRUE(f.store->RecordSuccess(kPeriod, "a", f.run, 1, MakeDownload("2026-12/a.pdf")).ok());
  auto rows = f.Export("2027-01");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "pending");
  EXPECT_EQ(rows[0].period, "2027-01");
  EXPECT_EQ(rows[0].file, "");
}

}  // namespace
}  // namespace boletos::store
