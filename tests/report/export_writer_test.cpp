// The CSV export against what a spreadsheet would do with it.

#include "report/export_writer.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "../store/store_test_support.h"

using namespace boletos;
using boletos::store::testing::MakeClient;
using boletos::store::testing::OpenStore;
using boletos::store::testing::TempDir;

namespace {

std::string ExportCsv(store::Store& db) {
  std::FILE* f = std::tmpfile();
  EXPECT_TRUE(report::WriteExport(db, "2026-12", report::ExportFormat::kCsv, f).ok());
  std::rewind(f);
  std::string text;
  for (int c; (c = std::fgetc(f)) != EOF;) text += static_cast<char>(c);
  std::fclose(f);
  return text;
}

TEST(ExportCsv, ACellThatASpreadsheetWouldRunAsAFormulaStartsWithAQuote) {
  TempDir dir;
  auto db = OpenStore(dir);
  ASSERT_TRUE(db->ImportClients({MakeClient("c1", "=HYPERLINK(\"http://x\",\"pay\")"), MakeClient("c2", "+55 11"),
                                 MakeClient("c3", "-2+3"), MakeClient("c4", "@SUM(A1)"), MakeClient("c5", "Ana - 2")})
                  .ok());
  std::string csv = ExportCsv(*db);
  EXPECT_NE(csv.find("\"'=HYPERLINK(\"\"http://x\"\",\"\"pay\"\")\""), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"'+55 11\""), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"'-2+3\""), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"'@SUM(A1)\""), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"Ana - 2\""), std::string::npos) << "a cell that starts otherwise is left as it is\n" << csv;
}

}  // namespace
