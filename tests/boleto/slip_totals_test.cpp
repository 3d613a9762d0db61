// What a read slip becomes downstream: the run's totals and summary line
// count verified slips and slips with warnings, and the store keeps the
// facts so that `export` prints them.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "../jobs/fake_slots.h"
#include "demo_slip_support.h"
#include "report/export_writer.h"
#include "jobs/runner.h"
#include "jobs/slip_check.h"

namespace boletos::boleto {
namespace {

using store::testing::Import;
using store::testing::OpenStore;
using store::testing::TempDir;
using testing::DemoSlipLines;

const std::string kPeriod = "2026-12";

// Reads a prepared PDF per client with the real SlipCheck, the way a slot
// does after a download, behind fake browsers.
class SlipReadingBrowsers {
 public:
  SlipReadingBrowsers(const TempDir& dir, std::map<std::string, std::string> pdfs) : dir_(dir), pdfs_(std::move(pdfs)) {}
  jobs::AttemptResult Answer(const jobs::testing::FakeAttempt& a) {
    std::string path = dir_.Write(a.id + ".pdf", pdfs_.at(a.id));
    auto verdict = check_.Check(path, {}, false);
    if (!verdict.ok()) return jobs::AttemptFailure{verdict.error(), false, false};
    jobs::AttemptSuccess s;
    s.download.file = kPeriod + "/" + a.id + ".pdf";
    s.download.bytes = static_cast<int64_t>(pdfs_.at(a.id).size());
    s.download.sha256 = std::string(64, 'b');
    s.download.facts = verdict->facts;
    return s;
  }
  jobs::testing::FakeLauncher launcher{[this](const jobs::testing::FakeAttempt& a) { return Answer(a); }};

 private:
  const TempDir& dir_;
  std::map<std::string, std::string> pdfs_;
  jobs::SlipCheck check_{20, Period{2026, 12}};
};

jobs::RunnerEnvironment QuietEnv() {
  return jobs::RunnerEnvironment{[] { return false; },
                                 [](std::chrono::steady_clock::time_point t) {
                                   std::this_thread::sleep_until(t);
                                   return true;
                                 },
                                 [](const std::vector<pid_t>&, bool) { return jobs::MemoryReading{}; },
                                 [] { return std::string("test"); }, /*redact=*/{}, /*attempt_recorded=*/{}};
}

struct ThreeSlips {
  demo::SlipFacts good = demo::MakeBankSlip("237", 10951, 2026, 12, 10, "0010203040506070809101112");
  demo::SlipFacts other = demo::MakeBankSlip("341", 5000, 2026, 12, 12, "9990203040506070809101112");
  std::map<std::string, std::string> pdfs;
  ThreeSlips() {
    pdfs["a"] = demo::MakeTextPdf(DemoSlipLines(good, "Ana", "1", kPeriod));
    auto lines = DemoSlipLines(other, "Bia", "2", kPeriod);
    lines[6] = "Vencimento: 15/12/2026";  // disagrees with the line's 12/12/2026
    pdfs["b"] = demo::MakeTextPdf(lines);
    pdfs["c"] = demo::MakeTextPdf({"Pagador: Caio", "Vencimento: 10/12/2026", "(sem linha digitavel)"});
  }
};

TEST(RunTotals, CountSlipsVerifiedAndSlipsWithWarnings) {
  TempDir dir;
  auto db = OpenStore(dir);
  Import(*db, {"a", "b", "c"});
  ThreeSlips slips;
  SlipReadingBrowsers browsers(dir, slips.pdfs);
  jobs::RunnerOptions o;
  o.period = kPeriod;
  auto run = db->BeginRun(kPeriod, getpid(), "test");
  ASSERT_TRUE(run.ok());
  jobs::Runner runner(o, *db, browsers.launcher, QuietEnv());
  EXPECT_EQ(runner.Run(*run), jobs::RunEnd::kFinished);
  EXPECT_EQ(runner.totals().done, 3);
  EXPECT_EQ(runner.totals().verified, 2);       // a and b carry valid lines; c has none
  EXPECT_EQ(runner.totals().with_warnings, 2);  // b's date disagrees; c has no line
  EXPECT_NE(runner.summary().find("2 slips verified, 2 with warnings"), std::string::npos) << runner.summary();
}

TEST(Export, PrintsTheFactsReadFromTheSlip) {
  TempDir dir;
  auto db = OpenStore(dir);
  Import(*db, {"a", "b"});
  ThreeSlips slips;
  SlipReadingBrowsers browsers(dir, slips.pdfs);
  jobs::RunnerOptions o;
  o.period = kPeriod;
  auto run = db->BeginRun(kPeriod, getpid(), "test");
  ASSERT_TRUE(run.ok());
  jobs::Runner runner(o, *db, browsers.launcher, QuietEnv());
  runner.Run(*run);

  std::string json_path = dir.File("export.json");
  std::FILE* out = std::fopen(json_path.c_str(), "w");
  ASSERT_TRUE(out);
  Status written = report::WriteExport(*db, kPeriod, report::ExportFormat::kJson, out);
  std::fclose(out);
  ASSERT_TRUE(written.ok()) << written.message();
  std::ifstream in(json_path);
  auto rows = nlohmann::json::parse(in);
  ASSERT_EQ(rows.size(), 2u);
  const auto& a = rows[0];
  EXPECT_EQ(a["linha_digitavel"], slips.good.linha_digitavel);
  EXPECT_EQ(a["barcode"], slips.good.barcode);
  EXPECT_EQ(a["bank"], "237");
  EXPECT_EQ(a["amount"], "109.51");
  EXPECT_EQ(a["due_date"], "2026-12-10");
  EXPECT_TRUE(a["warnings"].is_null()) << a["warnings"];
  const auto& b = rows[1];
  EXPECT_EQ(b["due_date"], "2026-12-15");  // the printed Vencimento wins
  EXPECT_EQ(b["amount"], "50.00");
  ASSERT_FALSE(b["warnings"].is_null());
  EXPECT_NE(b["warnings"].dump().find("15/12/2026"), std::string::npos) << b["warnings"];

  std::string csv_path = dir.File("export.csv");
  out = std::fopen(csv_path.c_str(), "w");
  ASSERT_TRUE(out);
  written = report::WriteExport(*db, kPeriod, report::ExportFormat::kCsv, out);
  std::fclose(out);
  ASSERT_TRUE(written.ok()) << written.message();
  std::ifstream csv_in(csv_path);
  std::string csv((std::istreambuf_iterator<char>(csv_in)), std::istreambuf_iterator<char>());
  EXPECT_NE(csv.find(slips.good.linha_digitavel), std::string::npos) << csv;
  EXPECT_NE(csv.find(slips.good.barcode), std::string::npos) << csv;
  EXPECT_NE(csv.find("109.51"), std::string::npos) << csv;
  EXPECT_NE(csv.find("2026-12-15"), std::string::npos) << csv;
}

}  // namespace
}  // namespace boletos::boleto
