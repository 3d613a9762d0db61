// Slips written by public boleto generators, kept in their repositories
// (data/generator_slips, see its README for each file's source and
// licence): FPDF layouts of laravel-boleto, PDFKit of gerador-boletos, JasperReports layouts of Caelum
// Stella (labels drawn as images, amounts with a decimal point), BrOffice
// templates filled by Bopepo (a 48-digit collection slip whose labels the
// text layer letter-spaces). Read through poppler and SlipCheck, each must
// give what a person reads on the paper and find its payer.
//
// The expected lines were computed from the printed text by hand and
// checked with a separate script (mod 10 / mod 11), not with src/boleto.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "../store/store_test_support.h"
#include "jobs/slip_check.h"

namespace boletos::boleto {
namespace {

using store::testing::TempDir;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(BOLETOS_GENERATOR_SLIPS_DIR) + "/" + name, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

struct GeneratorSlip {
  const char* file;
  Period period;        // the month the slip is due in
  const char* payer;    // the payer's document as printed
  const char* linha;    // "" when the slip prints no valid line
  const char* barcode;
  const char* bank;
  const char* amount;
  const char* due_date;
};

void PrintTo(const GeneratorSlip& s, std::ostream* os) { *os << s.file; }

class GeneratorSlips : public ::testing::TestWithParam<GeneratorSlip> {};

TEST_P(GeneratorSlips, ReadAsAPersonReadsThemAndBelongToTheirPayer) {
  const GeneratorSlip& s = GetParam();
  std::string pdf = Fixture(s.file);
  ASSERT_FALSE(pdf.empty()) << "missing fixture " << s.file;
  TempDir dir;
  std::string path = dir.Write("slip.pdf", pdf);

  auto verdict = jobs::SlipCheck(20, s.period).Check(path, {s.payer}, true);
  ASSERT_TRUE(verdict.ok()) << verdict.message();
  EXPECT_TRUE(verdict->belongs) << "the payer " << s.payer << " was not found";
  const store::SlipFacts& read = verdict->facts;
  EXPECT_EQ(read.linha_digitavel, s.linha);
  EXPECT_EQ(read.barcode, s.barcode);
  EXPECT_EQ(read.bank, s.bank);
  EXPECT_EQ(read.amount, s.amount);
  EXPECT_EQ(read.due_date, s.due_date);
  if (*s.linha != '\0') {
    EXPECT_TRUE(read.warnings.empty()) << read.warnings.front();
  }
}

// Another client's document on the same slip is refused.
TEST(GeneratorSlipOwnership, ASlipIsNotTakenForAnotherClients) {
  TempDir dir;
  std::string path = dir.Write("slip.pdf", Fixture("stella_bradesco.pdf"));
  auto verdict = jobs::SlipCheck(20, Period{2008, 5}).Check(path, {"111.222.333-13"}, true);
  ASSERT_TRUE(verdict.ok()) << verdict.message();
  EXPECT_FALSE(verdict->belongs);
}

INSTANTIATE_TEST_SUITE_P(
    Published, GeneratorSlips,
    ::testing::Values(
        // FPDF (laravel-boleto). A line with the amount 0 leaves the amount
        // to the payer, and the slip prints none: no amount is reported.
        GeneratorSlip{"laravel_boleto_c6.pdf", {2020, 3}, "999.999.999-99",
                      "33690000090001893000800000661033382070000000000",
                      "33693820700000000000000000018930000000066103", "336", "", "2020-03-27"},
        GeneratorSlip{"laravel_boleto_unicred.pdf", {2019, 2}, "999.999.999-99",
                      "13695811010008183210700000200287478010000030000",
                      "13694780100000300005811000081832100000020028", "136", "300.00", "2019-02-15"},
        // The generator's own test file prints a 45-digit line (its third
        // group is two digits short): no line is made up, and the printed
        // Vencimento and Valor are still read.
        GeneratorSlip{"laravel_boleto_banrisul_short.pdf", {2016, 12}, "999.999.999-99", "", "", "", "100.00",
                      "2016-12-13"},
        // JasperReports (Caelum Stella): labels are images, so only the line
        // tells the facts; two pages with the same slip.
        GeneratorSlip{"stella_bb_two_pages.pdf", {2008, 5}, "111.222.333-12",
                      "00190000090123456700409050987222438600000020000",
                      "00194386000000200000000001234567000905098722", "001", "200.00", "2008-05-02"},
        GeneratorSlip{"stella_bradesco.pdf", {2008, 5}, "111.222.333-12",
                      "23792345252000090509987001234506238600000020000",
                      "23792386000000200002345220000905098700123450", "237", "200.00", "2008-05-02"},
        // PDFKit (gerador-boletos): the barcode is drawn as text in a bar
        // font, so the text layer holds a run of symbols, and poppler reports
        // malformed font dictionaries.
        GeneratorSlip{"gerador_boletos_bradesco.pdf", {2018, 8}, "722.857.325-03",
                      "23790101079000000000161032644603776170000021015",
                      "23797761700000210150101090000000006103264460", "237", "210.15", "2018-08-15"},
        // BrOffice template filled by Bopepo. The first amount after a
        // "Valor" label is an instruction's ("COBRAR O VALOR DE: R$ 01,00");
        // the box prints 0,23, the line's amount.
        GeneratorSlip{"bopepo_bb.pdf", {2008, 5}, "222.222.222-22",
                      "00190000090000678912734567890057538840000000023",
                      "00195388400000000230000000006789123456789005", "001", "0.23", "2008-05-26"},
        // A 48-digit collection slip (guia de arrecadação): no bank, the
        // amount from the line; its "Data do Ve ncim e nto" is letter-spaced.
        GeneratorSlip{"bopepo_guia_48.pdf", {2010, 6}, "114.886.892-53",
                      "896700000004599801040115053332010064260000157446",
                      "89670000000599801040110533320100626000015744", "", "59.98", "2010-06-26"}));

}  // namespace
}  // namespace boletos::boleto
