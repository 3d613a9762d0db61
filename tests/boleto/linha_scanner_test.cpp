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
  for (const auto& l : ScanForLinhas(text).found) out.push_back(l.digits);
  return out;
}

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
