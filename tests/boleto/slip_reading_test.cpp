// ReadSlip: the facts of a slip's text, cross-checked against its labels.

#include "boleto/slip_reading.h"

#include <gtest/gtest.h>

#include "boleto/check_digits.h"
#include "boleto/linha.h"
#include "vectors.h"

namespace boletos::boleto {
namespace {

using testing::BankVectors;
using testing::CollectionVectors;

// Bradesco, R$ 100,00, factor 9560 = 2023-12-10.
const std::string kLine = "23790.10107 90000.000001 61032.644603 2 95600000010000";
const CivilDate kDecember2023{2023, 12, 15};

bool HasWarning(const SlipReading& r, const std::string& part) {
  for (const auto& w : r.warnings) {
    if (w.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(ReadSlip, ReadsEveryFactFromAnAgreeingSlip) {
  SlipReading r = ReadSlip("Vencimento 10/12/2023\nValor do Documento R$ 100,00\n" + kLine, kDecember2023);
  EXPECT_EQ(r.linha, "23790101079000000000161032644603295600000010000");
  EXPECT_EQ(r.barcode, "23792956000000100000101090000000006103264460");
  EXPECT_EQ(r.bank, "237");
  EXPECT_EQ(r.amount, "100.00");
  EXPECT_EQ(r.due_date, "2023-12-10");
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
}

TEST(ReadSlip, ReadsTheLineAloneWhenNothingIsLabelled) {
  for (const auto& v : BankVectors()) {
    SlipReading r = ReadSlip(v.printed, CivilDate{v.ref_year, v.ref_month, 15});
    EXPECT_EQ(r.linha, v.linha) << v.source;
    EXPECT_EQ(r.bank, v.bank) << v.source;
    EXPECT_EQ(r.amount, v.amount) << v.source;
    EXPECT_EQ(r.due_date, v.due_date) << v.source;
    EXPECT_TRUE(r.warnings.empty()) << v.source;
  }
}

TEST(ReadSlip, APrintedVencimentoThatDisagreesWinsWithAWarning) {
  SlipReading r = ReadSlip("Vencimento 11/12/2023\n" + kLine, kDecember2023);
  EXPECT_EQ(r.due_date, "2023-12-11");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("11/12/2023"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("2023-12-10"), std::string::npos) << r.warnings[0];
  EXPECT_EQ(r.amount, "100.00");
}

TEST(ReadSlip, APrintedValorThatDisagreesWinsWithAWarning) {
  SlipReading r = ReadSlip("Valor do Documento R$ 1.000,00\n" + kLine, kDecember2023);
  EXPECT_EQ(r.amount, "1000.00");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("1.000,00"), std::string::npos) << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("100.00"), std::string::npos) << r.warnings[0];
  EXPECT_EQ(r.due_date, "2023-12-10");
}

// A "Valor" label can lead to another figure (an instruction); when the
// line's own amount is printed on the slip, the slip agrees with the line.
// A date is not taken that way: the printed Vencimento still wins.
TEST(ReadSlip, TheLinesOwnAmountPrintedElsewhereAgreesWithItButADateDoesNot) {
  SlipReading r = ReadSlip("Valor: cobrar o valor de R$ 01,00\nVencimento 15/12/2023\n" + kLine +
                               "\nData do documento 10/12/2023   100,00",
                           kDecember2023);
  EXPECT_EQ(r.amount, "100.00");
  EXPECT_EQ(r.due_date, "2023-12-15");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("the printed Vencimento 15/12/2023 disagrees"), std::string::npos) << r.warnings[0];
}

TEST(ReadSlip, ASlipWithoutALineIsReadWithAWarningNotAnError) {
  SlipReading r = ReadSlip("BOLETO\nVencimento 10/12/2026\nValor do Documento R$ 1.234,56\n", {2026, 12, 15});
  EXPECT_EQ(r.linha, "");
  EXPECT_EQ(r.barcode, "");
  EXPECT_EQ(r.bank, "");
  EXPECT_EQ(r.due_date, "2026-12-10");
  EXPECT_EQ(r.amount, "1234.56");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "no valid linha digitável found");
}

TEST(ReadSlip, AMisreadLineIsNotUsedAndTheWarningSaysWhy) {
  std::string bad = kLine;
  bad[10] = '8';  // field 1 check digit 7 -> 8
  SlipReading r = ReadSlip(bad, kDecember2023);
  EXPECT_EQ(r.linha, "");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_TRUE(HasWarning(r, "no valid linha digitável found")) << r.warnings[0];
  EXPECT_TRUE(HasWarning(r, "field 1 check digit")) << r.warnings[0];
}

TEST(ReadSlip, NoFactorAndNoValueLeaveThePrintedOnesWithoutWarnings) {
  const auto& card = BankVectors()[6];  // factor 0, value 0
  SlipReading r = ReadSlip(std::string("Vencimento 05/01/2022 Valor 350,00 ") + card.printed, {2022, 1, 15});
  EXPECT_EQ(r.linha, card.linha);
  EXPECT_EQ(r.due_date, "2022-01-05");
  EXPECT_EQ(r.amount, "350.00");
  EXPECT_TRUE(r.warnings.empty());
}

TEST(ReadSlip, ACollectionSlipHasNoBankAndItsDueDateComesFromThePrint) {
  const auto& v = CollectionVectors()[2];  // R$ 109,78
  SlipReading r = ReadSlip(std::string("GPS\nVencimento 20/01/2019\nValor 109,78\n") + v.printed, {2019, 1, 15});
  EXPECT_EQ(r.linha, v.linha);
  EXPECT_EQ(r.barcode, v.barcode);
  EXPECT_EQ(r.bank, "");
  EXPECT_EQ(r.amount, "109.78");
  EXPECT_EQ(r.due_date, "2019-01-20");
  EXPECT_TRUE(r.warnings.empty());
}

TEST(ReadSlip, TwoDifferentLinesUseTheFirstWithAWarning) {
  SlipReading r = ReadSlip(std::string(BankVectors()[0].printed) + "\n" + kLine, {2007, 12, 15});
  EXPECT_EQ(r.linha, BankVectors()[0].linha);
  EXPECT_TRUE(HasWarning(r, "2 different valid linhas")) << (r.warnings.empty() ? "" : r.warnings[0]);
}

// node-boleto's header row as poppler reads it (data/html_slips): the line
// wrapped, the bank code between its halves. Two readings pass the check
// digits: the adjacent one (factor 0337, 1998-09-09, R$ 16.560.000,01) and
// the one a person reads (2026-12-10, R$ 109,51).
const std::string kWrappedHeader =
    "                                                  03399.64041 15400.000004 04271.101026 1\n"
    "                        033-7                                             16560000010951\n";
const std::string kNodeBoleto = "03399640411540000000404271101026116560000010951";
const CivilDate kDecember2026{2026, 12, 15};

TEST(ReadSlip, WhenTwoReadingsPassThePrintedVencimentoAndValorPickTheOneAPersonReads) {
  SlipReading r = ReadSlip(kWrappedHeader + "Vencimento 10/12/2026\n(=) Valor documento R$ 109,51\n", kDecember2026);
  EXPECT_EQ(r.linha, kNodeBoleto);
  EXPECT_EQ(r.barcode, "03391165600000109519640415400000000427110102");
  EXPECT_EQ(r.bank, "033");
  EXPECT_EQ(r.amount, "109.51");
  EXPECT_EQ(r.due_date, "2026-12-10");
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  // One printed fact that agrees is enough to prefer it.
  for (const std::string& printed : {std::string("Vencimento 10/12/2026\n"), std::string("Valor 109,51\n")}) {
    SlipReading one = ReadSlip(kWrappedHeader + printed, kDecember2026);
    EXPECT_EQ(one.linha, kNodeBoleto) << printed;
    EXPECT_TRUE(one.warnings.empty()) << one.warnings.front();
  }
}

TEST(ReadSlip, AReadingThatDisagreesWithBothPrintedFactsIsNotReported) {
  // Neither reading of the wrapped line agrees with this slip's labels.
  SlipReading r = ReadSlip(kWrappedHeader + "Vencimento 15/01/2027\nValor do Documento R$ 99,00\n", kDecember2026);
  EXPECT_EQ(r.linha, "");
  EXPECT_EQ(r.barcode, "");
  EXPECT_EQ(r.bank, "");
  EXPECT_EQ(r.due_date, "2027-01-15");
  EXPECT_EQ(r.amount, "99.00");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("disagrees with both the printed Vencimento 15/01/2027 and Valor 99,00"),
            std::string::npos)
      << r.warnings[0];
  EXPECT_NE(r.warnings[0].find("03399640411540000000404271101026103371656000001"), std::string::npos)
      << r.warnings[0];
  // Nor does a plain line whose slip says another day and amount.
  SlipReading plain = ReadSlip("Vencimento 11/01/2024 Valor 250,00\n" + kLine, kDecember2023);
  EXPECT_EQ(plain.linha, "");
  EXPECT_TRUE(HasWarning(plain, "disagrees with both")) << plain.warnings.front();
}

TEST(ReadSlip, TheDueDateFollowsThePeriodAcrossTheFactorRollover) {
  struct Case {
    const char* factor;
    CivilDate reference;
    const char* due;
  };
  for (const Case& c : {Case{"9999", {2025, 2, 15}, "2025-02-21"}, Case{"9999", {2025, 3, 15}, "2025-02-21"},
                        Case{"1000", {2025, 2, 15}, "2025-02-22"}, Case{"1000", {2000, 7, 15}, "2000-07-03"},
                        Case{"9990", {2025, 3, 15}, "2025-02-12"}, Case{"1010", {2025, 1, 15}, "2025-03-04"},
                        Case{"1656", {2026, 12, 15}, "2026-12-10"}}) {
    // A Bradesco slip of R$ 100,00 with this factor, its general digit computed.
    std::string rest = std::string(c.factor) + "0000010000" + "0101090000000006103264460";
    std::string barcode = "2379" + std::to_string(Mod11Bank("2379" + rest)) + rest;
    auto linha = LinhaFromBarcode(barcode);
    ASSERT_TRUE(linha.ok()) << linha.message();
    const std::string& d = linha->digits;
    std::string printed = d.substr(0, 5) + "." + d.substr(5, 5) + " " + d.substr(10, 5) + "." + d.substr(15, 6) + " " +
                          d.substr(21, 5) + "." + d.substr(26, 6) + " " + d.substr(32, 1) + " " + d.substr(33);
    SlipReading r = ReadSlip("Pagavel em qualquer banco\n" + printed + "\n", c.reference);
    EXPECT_EQ(r.linha, d);
    EXPECT_EQ(r.due_date, c.due) << "factor " << c.factor;
    EXPECT_TRUE(r.warnings.empty());
  }
}

}  // namespace
}  // namespace boletos::boleto
