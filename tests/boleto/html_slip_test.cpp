// Slips that portals render as HTML and Chromium prints to PDF (fixtures in
// data/html_slips, see its README): the linha digitável wraps in its cell
// and the bank code lands between its halves in the extracted text. Read
// through poppler and SlipCheck, each must give the line a person reads.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "../store/store_test_support.h"
#include "jobs/slip_check.h"
#include "slip_maker.h"

namespace boletos::boleto {
namespace {

using store::testing::TempDir;

struct Expected {
  const char* linha;
  const char* barcode;
  const char* bank;
  const char* amount;
  const char* due_date;
};

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(BOLETOS_HTML_SLIPS_DIR) + "/" + name, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

store::SlipFacts Read(const std::string& pdf, Period period) {
  TempDir dir;
  std::string path = dir.Write("slip.pdf", pdf);
  auto verdict = jobs::SlipCheck(20, period).Check(path, {"158.813.998-03"}, true);
  EXPECT_TRUE(verdict.ok()) << verdict.message();
  if (!verdict.ok()) return {};
  EXPECT_TRUE(verdict->belongs);
  return verdict->facts;
}

void ExpectFacts(const store::SlipFacts& read, const Expected& e) {
  EXPECT_EQ(read.linha_digitavel, e.linha);
  EXPECT_EQ(read.barcode, e.barcode);
  EXPECT_EQ(read.bank, e.bank);
  EXPECT_EQ(read.amount, e.amount);
  EXPECT_EQ(read.due_date, e.due_date);
  EXPECT_TRUE(read.warnings.empty()) << read.warnings.front();
}

// The check digits pass when the bank code is read into the last group:
// before the fix this slip exported a line of 1998 for R$ 16.560.000,01.
TEST(PrintedHtmlSlips, NodeBoletoReadsTheWrappedLineAtA4AndLetter) {
  const Expected e{"03399640411540000000404271101026116560000010951", "03391165600000109519640415400000000427110102",
                   "033", "109.51", "2026-12-10"};
  for (const char* file : {"node_boleto_a4.pdf", "node_boleto_letter.pdf"}) {
    SCOPED_TRACE(file);
    std::string pdf = Fixture(file);
    ASSERT_FALSE(pdf.empty()) << "missing fixture " << file;
    ExpectFacts(Read(pdf, Period{2026, 12}), e);
  }
}

// Here the misreading fails its check digits: before the fix, no line at all.
TEST(PrintedHtmlSlips, OpenBoletoReadsTheWrappedLineAtA4AndLetter) {
  const Expected e{"34191090080042711123240123450005116600000123456", "34191166000001234561090000427111234012345000",
                   "341", "1234.56", "2026-12-14"};
  for (const char* file : {"openboleto_a4.pdf", "openboleto_letter.pdf"}) {
    SCOPED_TRACE(file);
    std::string pdf = Fixture(file);
    ASSERT_FALSE(pdf.empty()) << "missing fixture " << file;
    ExpectFacts(Read(pdf, Period{2026, 12}), e);
  }
}

// A PDF whose text layer draws the line as two text lines with the bank
// code and a label between them (the demo slip maker computes the line).
TEST(SplitTextLayer, ALineDrawnOnTwoTextLinesAroundTheBankCodeReadsBack) {
  demo::SlipFacts f = demo::MakeBankSlip("237", 10951, 2026, 12, 10, "0010203040506070809101112");
  std::string printed = f.linha_printed;  // "AAAAA.AAAAA BBBBB.BBBBBB CCCCC.CCCCCC D EEEEEEEEEEEEEE"
  size_t wrap = printed.rfind(' ');
  std::string pdf = demo::MakeTextPdf({"BOLETO - Pagador: Ana, CPF 158.813.998-03", printed.substr(0, wrap),
                                       "Banco 237-2", printed.substr(wrap + 1), "Vencimento 10/12/2026",
                                       "Valor do Documento R$ " + f.amount_printed});
  const Expected e{f.linha_digitavel.c_str(), f.barcode.c_str(), "237", "109.51", "2026-12-10"};
  ExpectFacts(Read(pdf, Period{2026, 12}), e);
}

}  // namespace
}  // namespace boletos::boleto
