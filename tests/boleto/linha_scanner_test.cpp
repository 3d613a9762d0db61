// Finding the line in extracted text: printed groups, line breaks, bare
// digits, and the other numbers a slip prints around it.

#include "boleto/linha_scanner.h"

#include <gtest/gtest.h>

#include "vectors.h"

namespace boletos::boleto {
namespace {

using testing::BankVectors;
using testing::CollectionVectors;

const std::string kBradesco = "23790101079000000000161032644603295600000010000";

std::vector<std::string> Found(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& f : ScanForLinhas(text).found) out.push_back(f.linha.digits);
  return out;
}

// node-boleto's slip printed by Chromium (data/html_slips): the line wraps
// and poppler puts the bank code 033-7 between its halves. Reading 0337 as
// the due-date factor passes the check digits by chance (1998, R$ 16.560.000,01).
const std::string kNodeBoleto = "03399640411540000000404271101026116560000010951";
const std::string kNodeBoletoMisread = "03399640411540000000404271101026103371656000001";
const std::string kNodeBoletoText =
    "                                                  03399.64041 15400.000004 04271.101026 1\n"
    "                        033-7                                             16560000010951\n"
    "Local de pagamento                                       Vencimento\n";

TEST(LinhaScanner, FindsEveryPublishedLineAsPrinted) {
  for (const auto& v : BankVectors()) {
    EXPECT_EQ(Found(v.printed), std::vector<std::string>{v.linha}) << v.source;
  }
  for (const auto& v : CollectionVectors()) {
    EXPECT_EQ(Found(v.printed), std::vector<std::string>{v.linha}) << v.source;
  }
}

TEST(LinhaScanner, FindsABareRunOfDigits) {
  EXPECT_EQ(Found("Linha digitavel:" + kBradesco + "\n"), std::vector<std::string>{kBradesco});
  EXPECT_EQ(Found(CollectionVectors()[2].linha), std::vector<std::string>{CollectionVectors()[2].linha});
}

TEST(LinhaScanner, FindsALineSplitOverLines) {
  EXPECT_EQ(Found("23790.10107 90000.000001\n61032.644603 2\r\n95600000010000"), std::vector<std::string>{kBradesco});
  EXPECT_EQ(Found("83640000001-1 33120138000-2\n81288462711-6 08013618155-1"),
            std::vector<std::string>{CollectionVectors()[0].linha});
}

TEST(LinhaScanner, AssemblesALineWrappedAroundTheBankCodeAfterTheAdjacentReading) {
  LinhaScan scan = ScanForLinhas(kNodeBoletoText);
  ASSERT_EQ(scan.found.size(), 2u);
  EXPECT_EQ(scan.found[0].linha.digits, kNodeBoletoMisread);
  EXPECT_EQ(scan.found[0].fit, LinhaFit::kGlued);  // it ends inside 16560000010951
  EXPECT_EQ(scan.found[1].linha.digits, kNodeBoleto);
  EXPECT_EQ(scan.found[1].fit, LinhaFit::kAssembled);
  EXPECT_EQ(scan.found[1].skips, 1);
}

TEST(LinhaScanner, AssemblesALineSplitOverLinesWithOtherNumbersBetween) {
  // A text layer that splits the line twice, with a label, the bank code and
  // a date between the pieces.
  EXPECT_EQ(Found("Linha digitavel 23790.10107 90000.000001\nBanco 237-2\n61032.644603\n"
                  "Vencimento 10/12/2023\n2 95600000010000\nPagador"),
            std::vector<std::string>{kBradesco});
  EXPECT_EQ(Found("23790.10107 90000.000001 61032.644603 2\nAgencia 3381-2 Conta 12345-6\n95600000010000"),
            std::vector<std::string>{kBradesco});
  // A collection slip whose last block went to the next line, after a label.
  EXPECT_EQ(Found("83640000001-1 33120138000-2 81288462711-6\nCodigo de barras\n08013618155-1"),
            std::vector<std::string>{CollectionVectors()[0].linha});
}

TEST(LinhaScanner, AssemblesOnlyAcrossShortInterpositions) {
  const std::string head = "23790.10107 90000.000001 61032.644603 2\n", tail = "\n95600000010000";
  EXPECT_EQ(Found(head + "Banco 237-2" + tail), std::vector<std::string>{kBradesco});
  // Five other numbers between the pieces: not one line any more.
  EXPECT_TRUE(Found(head + "1 3 4 5 6" + tail).empty());
  // Nor a paragraph of text.
  EXPECT_TRUE(Found(head + "Instrucoes: nao receber apos o vencimento, cobrar multa de mora" + tail).empty());
  // Nor pieces of one text line: a reader steps over what a wrap put between.
  EXPECT_TRUE(Found("23790.10107 90000.000001 61032.644603 2 | 237-2 | 95600000010000").empty());
  // Nor more than three pieces.
  EXPECT_TRUE(Found("23790.10107\nx\n90000.000001\nx\n61032.644603\nx\n2\nx\n95600000010000").empty());
}

TEST(LinhaScanner, AcceptsPunctuationVariants) {
  for (const std::string& text : {
           std::string("23790.10107  90000.000001  61032.644603  2  95600000010000"),
           std::string("23790 10107 90000 000001 61032 644603 2 95600000010000"),
           std::string("23790.10107\t90000.000001\t61032.644603\t2\t9560\t0000010000"),
           std::string("23790.10107\xC2\xA0" "90000.000001\xC2\xA0" "61032.644603\xC2\xA0" "2\xC2\xA0" "95600000010000"),
           std::string("23790-10107 90000-000001 61032-644603 2 95600000010000"),
       }) {
    EXPECT_EQ(Found(text), std::vector<std::string>{kBradesco}) << text;
  }
}

TEST(LinhaScanner, IgnoresTheNumbersAroundTheLine) {
  std::string text =
      "Banco Bradesco S.A. | 237-2 | 23790.10107 90000.000001 61032.644603 2 95600000010000\n"
      "Local de pagamento: Pagavel em qualquer banco ate o vencimento  Vencimento 10/12/2023\n"
      "Agencia/Codigo do Beneficiario 3381-2/0004321-0  Nosso Numero 09/00000000000-1\n"
      "Data do documento 01/12/2023 Numero do documento 1234 5678 90123 45678 9012\n"
      "(=) Valor do Documento R$ 100,00  CPF/CNPJ 123.456.789-09\n";
  EXPECT_EQ(Found(text), std::vector<std::string>{kBradesco});
}

TEST(LinhaScanner, FindsALineWithADigitGroupJustBeforeIt) {
  // The bank code with its digit printed right before the line, same chain.
  EXPECT_EQ(Found("237-2 23790.10107 90000.000001 61032.644603 2 95600000010000 001"),
            std::vector<std::string>{kBradesco});
}

TEST(LinhaScanner, FindsALineGluedToOtherDigits) {
  EXPECT_EQ(Found("ref 12" + kBradesco), std::vector<std::string>{kBradesco});
  EXPECT_EQ(Found(kBradesco + "77 fim"), std::vector<std::string>{kBradesco});
}

TEST(LinhaScanner, ReportsALinePrintedTwiceOnce) {
  std::string text = std::string("Recibo do pagador ") + BankVectors()[3].printed + "\nFicha de compensacao\n" +
                     BankVectors()[3].printed + "\n";
  EXPECT_EQ(Found(text), std::vector<std::string>{kBradesco});
}

TEST(LinhaScanner, ReportsDifferentLinesInOrderOfAppearance) {
  std::string text = std::string(BankVectors()[0].printed) + "\nsegunda via\n" + BankVectors()[3].printed;
  EXPECT_EQ(Found(text), (std::vector<std::string>{BankVectors()[0].linha, kBradesco}));
}

TEST(LinhaScanner, FindsNothingInTextWithoutALine) {
  EXPECT_TRUE(Found("").empty());
  EXPECT_TRUE(Found("BOLETO DE COBRANCA Vencimento 10/12/2026 Valor R$ 1.234,56").empty());
  // Fifty digits in groups that check nothing.
  EXPECT_TRUE(Found("12345 67890 12345 67890 12345 67890 12345 67890 12345 67890").empty());
}

TEST(LinhaScanner, SaysWhyALineShapedRunWasRefused) {
  std::string bad = kBradesco;
  bad[20] = bad[20] == '1' ? '2' : '1';  // field 2's check digit
  LinhaScan scan = ScanForLinhas("Linha digitavel: " + bad.substr(0, 10) + " " + bad.substr(10));
  EXPECT_TRUE(scan.found.empty());
  EXPECT_NE(scan.near_miss.find("field 2 check digit"), std::string::npos) << scan.near_miss;
}

TEST(LinhaScanner, CopesWithHugeAndBinaryInput) {
  std::string noise;
  for (int i = 0; i < 200000; ++i) noise += static_cast<char>((i * 7919) % 256);
  std::string digits(100000, '7');
  EXPECT_TRUE(Found(digits).empty());
  auto found = Found(noise + " " + kBradesco + " " + noise);
  EXPECT_EQ(found, std::vector<std::string>{kBradesco});
}

}  // namespace
}  // namespace boletos::boleto
