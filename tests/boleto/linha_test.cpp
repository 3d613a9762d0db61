// The linha digitável: published lines of several banks and collection
// slips, every check digit wrong in turn, and line <-> barcode.

#include "boleto/linha.h"

#include <gtest/gtest.h>

#include "boleto/check_digits.h"
#include "boleto/due_date.h"
#include "vectors.h"

namespace boletos::boleto {
namespace {

using testing::BankVectors;
using testing::CollectionVectors;

std::string WithDigit(std::string s, size_t at, int d) {
  s[at] = static_cast<char>('0' + d);
  return s;
}

TEST(LinhaDigitavel, AcceptsPublishedBankSlipsAndDerivesBarcodeBankAmountAndDueDate) {
  for (const auto& v : BankVectors()) {
    SCOPED_TRACE(v.source);
    auto linha = ParseLinha(v.linha);
    ASSERT_TRUE(linha.ok()) << linha.message();
    EXPECT_EQ(linha->kind, SlipKind::kBank);
    EXPECT_EQ(linha->barcode, v.barcode);
    EXPECT_EQ(BankCode(*linha), v.bank);
    auto cents = AmountCents(*linha);
    EXPECT_EQ(cents ? AmountText(*cents) : "", v.amount);
    auto due = DueDateFromFactor(*DueFactor(*linha), CivilDate{v.ref_year, v.ref_month, 15});
    EXPECT_EQ(due ? IsoDate(*due) : "", v.due_date);
  }
}

TEST(LinhaDigitavel, AcceptsPublishedCollectionSlipsOfBothRules) {
  int mod10 = 0, mod11 = 0;
  for (const auto& v : CollectionVectors()) {
    SCOPED_TRACE(v.source);
    auto linha = ParseLinha(v.linha);
    ASSERT_TRUE(linha.ok()) << linha.message();
    EXPECT_EQ(linha->kind, SlipKind::kCollection);
    EXPECT_EQ(linha->barcode, v.barcode);
    EXPECT_EQ(BankCode(*linha), "");
    EXPECT_FALSE(DueFactor(*linha).has_value());
    auto cents = AmountCents(*linha);
    EXPECT_EQ(cents ? AmountText(*cents) : "", v.amount);
    (v.mod11 ? mod11 : mod10)++;
  }
  EXPECT_GE(mod10, 2);
  EXPECT_GE(mod11, 2);
}

TEST(LinhaDigitavel, RejectsAWrongFirstFieldCheckDigit) {
  std::string good = BankVectors()[0].linha;
  for (int d = 0; d <= 9; ++d) {
    if (d == good[9] - '0') continue;
    auto r = ParseLinha(WithDigit(good, 9, d));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("field 1 check digit"), std::string::npos) << r.message();
  }
}

TEST(LinhaDigitavel, RejectsAWrongSecondFieldCheckDigit) {
  std::string good = BankVectors()[1].linha;
  for (int d = 0; d <= 9; ++d) {
    if (d == good[20] - '0') continue;
    auto r = ParseLinha(WithDigit(good, 20, d));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("field 2 check digit"), std::string::npos) << r.message();
  }
}

TEST(LinhaDigitavel, RejectsAWrongThirdFieldCheckDigit) {
  std::string good = BankVectors()[2].linha;
  for (int d = 0; d <= 9; ++d) {
    if (d == good[31] - '0') continue;
    auto r = ParseLinha(WithDigit(good, 31, d));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.message().find("field 3 check digit"), std::string::npos) << r.message();
  }
}

TEST(LinhaDigitavel, RejectsAWrongGeneralCheckDigit) {
  for (const auto& v : BankVectors()) {
    std::string good = v.linha;
    for (int d = 0; d <= 9; ++d) {
      if (d == good[32] - '0') continue;
      auto r = ParseLinha(WithDigit(good, 32, d));
      ASSERT_FALSE(r.ok()) << v.source << " with general digit " << d;
      EXPECT_NE(r.message().find("general (barcode) check digit"), std::string::npos) << r.message();
    }
  }
}

TEST(LinhaDigitavel, RejectsAnAmountOrFactorChangedWithoutItsCheckDigit) {
  std::string good = BankVectors()[3].linha;  // ...2 95600000010000: R$ 100,00
  EXPECT_FALSE(ParseLinha(WithDigit(good, 45, 1)).ok());  // R$ 100,10
  EXPECT_FALSE(ParseLinha(WithDigit(good, 34, 6)).ok());  // factor 9660
}

TEST(CollectionSlip, RejectsAWrongCheckDigitInEachBlock) {
  for (const auto& v : CollectionVectors()) {
    std::string good = v.linha;
    for (int block = 0; block < 4; ++block) {
      size_t at = block * 12 + 11;
      for (int d = 0; d <= 9; ++d) {
        if (d == good[at] - '0') continue;
        auto r = ParseLinha(WithDigit(good, at, d));
        ASSERT_FALSE(r.ok()) << v.source << " block " << block + 1;
        EXPECT_NE(r.message().find("block " + std::to_string(block + 1) + " check digit"), std::string::npos)
            << r.message();
      }
    }
  }
}

TEST(CollectionSlip, RejectsAWrongGeneralCheckDigitEvenWhenItsBlockChecks) {
  for (const auto& v : CollectionVectors()) {
    std::string good = v.linha;
    auto rule = v.mod11 ? Mod11Collection : Mod10;
    for (int d = 0; d <= 9; ++d) {
      if (d == good[3] - '0') continue;
      // The general digit sits in block 1: give the block a matching digit so
      // that only the general one is wrong.
      std::string bad = WithDigit(good, 3, d);
      bad = WithDigit(bad, 11, rule(bad.substr(0, 11)));
      auto r = ParseLinha(bad);
      ASSERT_FALSE(r.ok()) << v.source << " with general digit " << d;
      EXPECT_NE(r.message().find("general check digit"), std::string::npos) << r.message();
    }
  }
}

TEST(CollectionSlip, PicksModTenOrModElevenByTheValueReferenceDigit) {
  // The same first blocks under the other rule no longer check.
  for (const auto& v : CollectionVectors()) {
    std::string swapped = v.linha;
    swapped[2] = v.mod11 ? '6' : '8';
    EXPECT_FALSE(ParseLinha(swapped).ok()) << v.source;
  }
  auto r = ParseLinha(WithDigit(CollectionVectors()[0].linha, 2, 5));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("6, 7, 8 or 9"), std::string::npos) << r.message();
}

TEST(CollectionSlip, AReferenceValueIsNotAnAmount) {
  // Value-reference digit 7: the value field counts something else than reais.
  std::string blocks = "8170000000100000000000000000000000000000000";  // 43 digits, no general digit
  std::string barcode = blocks.substr(0, 3) + std::to_string(Mod10(blocks)) + blocks.substr(3);
  auto linha = LinhaFromBarcode(barcode);
  ASSERT_TRUE(linha.ok()) << linha.message();
  EXPECT_FALSE(AmountCents(*linha).has_value());
}

TEST(LinhaDigitavel, RejectsOtherLengthsAndNonDigits) {
  EXPECT_FALSE(ParseLinha("").ok());
  EXPECT_FALSE(ParseLinha(std::string(BankVectors()[0].linha).substr(1)).ok());
  EXPECT_FALSE(ParseLinha(std::string(BankVectors()[0].linha) + "0").ok());  // 48 not starting with 8
  EXPECT_FALSE(ParseLinha(BankVectors()[0].printed).ok());
}

TEST(LinhaDigitavel, RejectsABankLineStartingWithEightWhoseBarcodeWouldReadAsACollectionSlip) {
  // Found by the fuzzer: every check digit of this 47-digit line holds, but
  // its barcode starts with 8, which marks a collection slip, so the barcode
  // converts back to a different line. No bank code starts with 8.
  std::string f1 = "888889010", f2 = "1079000000", f3 = "0016103264";
  std::string factor_amount = "95600000020800";
  std::string barcode_without_dv = "8889" + factor_amount + f1.substr(4) + f2 + f3;
  std::string linha = f1 + std::to_string(Mod10(f1)) + f2 + std::to_string(Mod10(f2)) + f3 +
                      std::to_string(Mod10(f3)) + std::to_string(Mod11Bank(barcode_without_dv)) + factor_amount;
  ASSERT_EQ(linha.size(), 47u);
  auto r = ParseLinha(linha);
  ASSERT_FALSE(r.ok()) << "accepted " << linha << " with barcode " << r->barcode;
  EXPECT_NE(r.message().find("collection"), std::string::npos) << r.message();
}

TEST(Barcode, ConvertsToTheLineAndBackForEveryPublishedSlip) {
  for (const auto& v : BankVectors()) {
    auto linha = LinhaFromBarcode(v.barcode);
    ASSERT_TRUE(linha.ok()) << v.source << ": " << linha.message();
    EXPECT_EQ(linha->digits, v.linha) << v.source;
  }
  for (const auto& v : CollectionVectors()) {
    auto linha = LinhaFromBarcode(v.barcode);
    ASSERT_TRUE(linha.ok()) << v.source << ": " << linha.message();
    EXPECT_EQ(linha->digits, v.linha) << v.source;
  }
}

TEST(Barcode, RejectsAWrongGeneralCheckDigit) {
  std::string good = BankVectors()[0].barcode;
  auto r = LinhaFromBarcode(WithDigit(good, 4, good[4] == '9' ? 1 : 9));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("general"), std::string::npos) << r.message();
  EXPECT_FALSE(LinhaFromBarcode("1234").ok());
}

TEST(Amount, IsWrittenWithADotAndTwoDecimals) {
  EXPECT_EQ(AmountText(10951), "109.51");
  EXPECT_EQ(AmountText(5), "0.05");
  EXPECT_EQ(AmountText(100000), "1000.00");
}

}  // namespace
}  // namespace boletos::boleto
