// What a slip prints beside "Vencimento" and "Valor".

#include "boleto/printed_fields.h"

#include <gtest/gtest.h>

namespace boletos::boleto {
namespace {

std::string Due(const std::string& text) {
  auto d = FindPrintedDueDate(text);
  return d ? IsoDate(*d) : "none";
}

long long Cents(const std::string& text) { return FindPrintedAmountCents(text).value_or(-1); }

TEST(PrintedVencimento, ReadsTheDateAfterTheLabel) {
  EXPECT_EQ(Due("Vencimento: 10/12/2026"), "2026-12-10");
  EXPECT_EQ(Due("VENCIMENTO\n   14/03/2025"), "2025-03-14");
  EXPECT_EQ(Due("Data do documento 01/12/2026  Vencimento 10/12/2026"), "2026-12-10");
}

TEST(PrintedVencimento, SkipsDaysThatDoNotExistAndDatesFarFromTheLabel) {
  EXPECT_EQ(Due("Vencimento 31/02/2026 ou 28/02/2026"), "2026-02-28");
  EXPECT_EQ(Due("Vencimento" + std::string(400, ' ') + "10/12/2026"), "none");
  EXPECT_EQ(Due("Emitido em 10/12/2026"), "none");
  EXPECT_EQ(Due("Vencimento 110/12/20261"), "none");
}

TEST(PrintedValor, ReadsBrazilianAmounts) {
  EXPECT_EQ(Cents("Valor do Documento: R$ 1.234,56"), 123456);
  EXPECT_EQ(Cents("(=) Valor do documento\n109,51"), 10951);
  EXPECT_EQ(Cents("Valor R$1234,56"), 123456);
  EXPECT_EQ(Cents("Valor: 1.234.567,89"), 123456789);
  EXPECT_EQ(Cents("Valor: 0,05"), 5);
}

TEST(PrintedValor, PrefersValorDoDocumentoOverOtherValues) {
  EXPECT_EQ(Cents("Valor cobrado 99,00 ... Valor do Documento 109,51"), 10951);
  EXPECT_EQ(Cents("(=) Valor cobrado 99,00"), 9900);
}

TEST(PrintedValor, RefusesWhatIsNotAnAmount) {
  EXPECT_EQ(Cents("Valor: 12.34,56"), -1);
  EXPECT_EQ(Cents("Valor: 1234.56"), -1);
  EXPECT_EQ(Cents("Valor: 1,234"), -1);
  EXPECT_EQ(Cents("Total 1.234,56"), -1);
}

// Text layers that letter-space their labels (Bopepo's guia).
TEST(PrintedLabels, AreFoundLetterSpaced) {
  EXPECT_EQ(Due("Data do Ve ncim e nto: 26/06/2010"), "2010-06-26");
  EXPECT_EQ(Cents("Valor Docum e nto 59,98"), 5998);
}

TEST(PrintedValor, ValorDocumentoAndValorDoBoletoComeBeforeAnyValor) {
  EXPECT_EQ(Cents("Valor cobrado 1,00 ... Valor Documento 0,23"), 23);
  EXPECT_EQ(Cents("Valor cobrado 1,00 ... Valor do boleto 0,23"), 23);
}

TEST(PrintedAnywhere, ListsEveryAmountUnderAnyLabel) {
  EXPECT_EQ(AllPrintedAmounts("instr. R$ 01,00 ... 0,23 x 1.234,56"), (std::vector<long long>{100, 23, 123456}));
  EXPECT_EQ(AllPrintedAmounts("1,234 12.34,56 (10/12/2026)"), std::vector<long long>{});
}

TEST(PrintedValor, IsWrittenTheWayASlipPrintsIt) {
  EXPECT_EQ(PrintedAmount(123456), "1.234,56");
  EXPECT_EQ(PrintedAmount(10951), "109,51");
  EXPECT_EQ(PrintedAmount(5), "0,05");
  EXPECT_EQ(PrintedAmount(100000000), "1.000.000,00");
}

}  // namespace
}  // namespace boletos::boleto
