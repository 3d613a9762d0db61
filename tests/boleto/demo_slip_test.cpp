// End to end on real PDFs: slips made by the demo portal's own slip maker
// (an independent FEBRABAN implementation) through poppler and SlipCheck
// must read back exactly the facts the demo printed.

#include <gtest/gtest.h>
#include <httplib.h>
#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "boleto/civil_date.h"
#include "boleto/due_date.h"
#include "core/period.h"
#include "demo_portal.h"
#include "demo_slip_support.h"
#include "jobs/slip_check.h"
#include "store/clients_csv.h"

namespace boletos::boleto {
namespace {

using store::testing::TempDir;
using testing::DemoSlipLines;
using testing::MultiPagePdf;

struct Made {
  demo::SlipFacts facts;
  std::string pdf;
};

Made MakeSlip(const std::string& bank, long long cents, int y, int m, int d, const std::string& free_field) {
  Made made;
  made.facts = demo::MakeBankSlip(bank, cents, y, m, d, free_field);
  char period[8];
  std::snprintf(period, sizeof period, "%04d-%02d", y, m);
  made.pdf = demo::MakeTextPdf(DemoSlipLines(made.facts, "João da Silva", "158.813.998-03", period));
  return made;
}

jobs::SlipVerdict CheckFile(const TempDir& dir, const std::string& pdf, int y, int m,
                            std::vector<std::string> needles = {},
                            std::chrono::milliseconds budget = std::chrono::milliseconds(2000)) {
  std::string path = dir.Write("slip.pdf", pdf);
  jobs::SlipCheck check(20, Period{y, m}, budget);
  auto verdict = check.Check(path, needles, true);
  EXPECT_TRUE(verdict.ok()) << verdict.message();
  return verdict.ok() ? *verdict : jobs::SlipVerdict{};
}

void ExpectSameFacts(const store::SlipFacts& read, const demo::SlipFacts& printed) {
  EXPECT_EQ(read.linha_digitavel, printed.linha_digitavel);
  EXPECT_EQ(read.barcode, printed.barcode);
  EXPECT_EQ(read.bank, printed.bank);
  EXPECT_EQ(read.amount, printed.amount);
  EXPECT_EQ(read.due_date, printed.due_date);
  EXPECT_TRUE(read.warnings.empty()) << read.warnings.front();
}

TEST(DemoSlips, PopplerExtractsEveryPrintedLine) {
  Made made = MakeSlip("341", 123456, 2026, 12, 10, "1234567890123456789012345");
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(made.pdf.data(), static_cast<int>(made.pdf.size())));
  ASSERT_TRUE(doc);
  ASSERT_EQ(doc->pages(), 1);
  std::unique_ptr<poppler::page> page(doc->create_page(0));
  auto utf8 = page->text().to_utf8();
  std::string text(utf8.begin(), utf8.end());
  for (const auto& line : DemoSlipLines(made.facts, "João da Silva", "158.813.998-03", "2026-12")) {
    EXPECT_NE(text.find(line), std::string::npos) << "poppler lost '" << line << "' in:\n" << text;
  }
}

TEST(DemoSlips, SlipCheckReadsBackExactlyTheFactsTheDemoPrinted) {
  TempDir dir;
  struct Case {
    const char* bank;
    long long cents;
    int y, m, d;
  };
  for (const Case& c : {Case{"237", 10951, 2024, 12, 10}, Case{"341", 100, 2025, 2, 21}, Case{"001", 999999, 2025, 2, 22},
                        Case{"104", 123456, 2025, 3, 10}, Case{"033", 5, 2026, 12, 14}, Case{"237", 300999, 2030, 6, 11},
                        Case{"341", 4200000, 2049, 9, 25}, Case{"001", 777, 2000, 7, 3}}) {
    SCOPED_TRACE(std::string(c.bank) + " " + std::to_string(c.y) + "-" + std::to_string(c.m) + "-" +
                 std::to_string(c.d));
    Made made = MakeSlip(c.bank, c.cents, c.y, c.m, c.d, "0010203040506070809101112");
    jobs::SlipVerdict v = CheckFile(dir, made.pdf, c.y, c.m, {"158.813.998-03"});
    EXPECT_TRUE(v.belongs);
    ExpectSameFacts(v.facts, made.facts);
  }
}

TEST(DemoSlips, BothImplementationsAgreeOnTheFactorAroundTheRollover) {
  for (long day = DaysFromCivil({2024, 1, 1}); day < DaysFromCivil({2027, 1, 1}); ++day) {
    CivilDate d = CivilFromDays(day);
    auto ours = FactorFromDueDate(d);
    ASSERT_TRUE(ours.has_value());
    ASSERT_EQ(*ours, demo::DueDateFactor(d.year, d.month, d.day)) << IsoDate(d);
  }
}

struct Portal {
  std::unique_ptr<demo::DemoPortal> portal;
  explicit Portal(const std::string& faults = "") {
    demo::PortalOptions o;
    o.clients_csv = BOLETOS_DEMO_CLIENTS_CSV;
    o.faults = faults;
    auto started = demo::DemoPortal::Start(o);
    EXPECT_TRUE(started.ok()) << started.message();
    if (started.ok()) portal = std::move(started).value();
  }
};

TEST(DemoPortalSlips, EveryClientsSlipReadsBackAsTheOracleSays) {
  Portal p;
  ASSERT_TRUE(p.portal);
  auto clients = store::ReadClientsCsv(BOLETOS_DEMO_CLIENTS_CSV);
  ASSERT_TRUE(clients.ok()) << clients.message();
  TempDir dir;
  int checked = 0;
  std::chrono::nanoseconds spent{0};
  for (const std::string period : {"2025-01", "2025-02", "2025-03", "2026-12"}) {
    Period per = *ParsePeriod(period);
    jobs::SlipCheck check(20, per);
    for (const auto& client : *clients) {
      SCOPED_TRACE(client.id + " " + period);
      auto pdf = p.portal->ExpectedPdf(client.id, period);
      auto facts = p.portal->Facts(client.id, period);
      ASSERT_TRUE(pdf.ok() && facts.ok());
      std::string path = dir.Write("slip.pdf", *pdf);
      auto start = std::chrono::steady_clock::now();
      auto v = check.Check(path, {client.document}, true);
      spent += std::chrono::steady_clock::now() - start;
      ASSERT_TRUE(v.ok()) << v.message();
      EXPECT_TRUE(v->belongs);
      ExpectSameFacts(v->facts, *facts);
      ++checked;
    }
  }
  double ms = std::chrono::duration<double, std::milli>(spent).count() / checked;
  std::cout << "SlipCheck::Check over " << checked << " demo slips: " << ms << " ms per slip\n";
  RecordProperty("ms_per_slip", std::to_string(ms));
}

TEST(DemoPortalSlips, AWrongClientsSlipIsRefusedButStillReadsAsThatClients) {
  Portal p("wrong_client=1");
  ASSERT_TRUE(p.portal);
  httplib::Client http("127.0.0.1", p.portal->port());
  auto login = http.Post("/login", "user=demo&password=demo123", "application/x-www-form-urlencoded");
  ASSERT_TRUE(login);
  std::string cookie = login->get_header_value("Set-Cookie");
  cookie = cookie.substr(0, cookie.find(';'));
  auto res = http.Get("/boleto/c001.pdf?period=2026-12", {{"Cookie", cookie}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  TempDir dir;
  jobs::SlipVerdict v = CheckFile(dir, res->body, 2026, 12, {"158.813.998-03"});  // c001's document
  EXPECT_FALSE(v.belongs);
  auto theirs = p.portal->Facts("c002", "2026-12");
  ASSERT_TRUE(theirs.ok());
  ExpectSameFacts(v.facts, *theirs);
}

TEST(SlipCheck, StopsReadingPagesOnceTheTimeBudgetIsSpentWithAWarning) {
  Made made = MakeSlip("237", 10951, 2026, 12, 10, "0010203040506070809101112");
  TempDir dir;
  jobs::SlipVerdict v = CheckFile(dir, MultiPagePdf(8, DemoSlipLines(made.facts, "Ana", "1", "2026-12")), 2026, 12,
                                  {}, std::chrono::milliseconds(0));
  // The first page is always read, so the line on it still counts.
  EXPECT_EQ(v.facts.linha_digitavel, made.facts.linha_digitavel);
  ASSERT_EQ(v.facts.warnings.size(), 1u);
  EXPECT_NE(v.facts.warnings[0].find("after 1 of 8 pages"), std::string::npos) << v.facts.warnings[0];
}

TEST(SlipCheck, ReadsAtMostTwentyPagesWithAWarning) {
  Made made = MakeSlip("237", 10951, 2026, 12, 10, "0010203040506070809101112");
  TempDir dir;
  jobs::SlipVerdict v = CheckFile(dir, MultiPagePdf(25, DemoSlipLines(made.facts, "Ana", "1", "2026-12")), 2026, 12);
  EXPECT_EQ(v.facts.linha_digitavel, made.facts.linha_digitavel);
  ASSERT_EQ(v.facts.warnings.size(), 1u);
  EXPECT_NE(v.facts.warnings[0].find("first 20 of 25 pages"), std::string::npos) << v.facts.warnings[0];
}

TEST(SlipCheck, ASlipWithoutALineIsStillAcceptedWithAWarning) {
  TempDir dir;
  jobs::SlipVerdict v = CheckFile(dir, demo::MakeTextPdf({"Pagador: Ana", "CPF 158.813.998-03", "Vencimento 10/12/2026"}),
                                  2026, 12, {"15881399803"});
  EXPECT_TRUE(v.belongs);
  EXPECT_EQ(v.facts.linha_digitavel, "");
  EXPECT_EQ(v.facts.due_date, "2026-12-10");
  ASSERT_EQ(v.facts.warnings.size(), 1u);
  EXPECT_EQ(v.facts.warnings[0], "no valid linha digitável found");
}

}  // namespace
}  // namespace boletos::boleto
