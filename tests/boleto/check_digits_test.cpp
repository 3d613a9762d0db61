// The three FEBRABAN check-digit rules, on digits worked by hand.

#include "boleto/check_digits.h"

#include <gtest/gtest.h>

namespace boletos::boleto {
namespace {

TEST(Mod10, SumsTheDigitsOfProductsWithWeightsTwoAndOneFromTheRight) {
  // The fields of a published Banco do Brasil line,
  // 00190.50095 40144.816069 06809.350314: each ends in the rule's answer.
  EXPECT_EQ(Mod10("001905009"), 5);
  EXPECT_EQ(Mod10("4014481606"), 9);
  EXPECT_EQ(Mod10("0680935031"), 4);
}

TEST(Mod10, GivesZeroWhenTheSumIsAMultipleOfTen) {
  EXPECT_EQ(Mod10("0"), 0);
  EXPECT_EQ(Mod10("5"), 9);  // 5*2=10 -> 1+0=1 -> 9
  EXPECT_EQ(Mod10("19"), 0);  // 9*2=18 -> 9, 1*1 -> 10
}

TEST(Mod11Bank, TurnsZeroTenAndElevenIntoOne) {
  // 43 digits of the barcode 0019?3737... without its check digit 3.
  EXPECT_EQ(Mod11Bank("0019373700000001000500940144816060680935031"), 3);
  EXPECT_EQ(Mod11Bank("0"), 1);  // 11 - 0 = 11 -> 1
  EXPECT_EQ(Mod11Bank("5"), 1);  // 5*2 = 10, 11 - 10 = 1
  EXPECT_EQ(Mod11Bank("6"), 1);  // 12 % 11 = 1, 11 - 1 = 10 -> 1
}

TEST(Mod11Collection, TurnsRemaindersZeroAndOneIntoZero) {
  EXPECT_EQ(Mod11Collection("0"), 0);  // remainder 0
  EXPECT_EQ(Mod11Collection("6"), 0);  // 12 % 11 = 1
  EXPECT_EQ(Mod11Collection("5"), 1);  // 10 % 11 = 10 -> 1
  EXPECT_EQ(Mod11Collection("85890000001"), 8);
}

TEST(CheckDigits, RefuseAnythingButDigits) {
  EXPECT_EQ(Mod10(""), -1);
  EXPECT_EQ(Mod10("12a4"), -1);
  EXPECT_EQ(Mod11Bank("1 2"), -1);
  EXPECT_EQ(Mod11Collection("-1"), -1);
}

}  // namespace
}  // namespace boletos::boleto
