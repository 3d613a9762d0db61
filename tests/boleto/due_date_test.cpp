// The due-date factor: days since 1997-10-07, restarted at 1000 on 2025-02-22.

#include "boleto/due_date.h"

#include <gtest/gtest.h>

namespace boletos::boleto {
namespace {

std::string Read(int factor, CivilDate reference) {
  auto d = DueDateFromFactor(factor, reference);
  return d ? IsoDate(*d) : "none";
}

TEST(DueFactor, ZeroMeansNoDueDate) { EXPECT_EQ(Read(0, {2026, 12, 15}), "none"); }

TEST(DueFactor, OutOfRangeFactorsMeanNoDueDate) {
  EXPECT_EQ(Read(-1, {2026, 12, 15}), "none");
  EXPECT_EQ(Read(10000, {2026, 12, 15}), "none");
}

TEST(DueFactor, CountsDaysFromOctoberSeventh1997) {
  EXPECT_EQ(Read(1000, {2000, 7, 15}), "2000-07-03");
  EXPECT_EQ(Read(3737, {2007, 12, 15}), "2007-12-31");
  EXPECT_EQ(Read(999, {2026, 12, 15}), "2000-07-02");  // below 1000 only the first cycle exists
}

TEST(DueFactor, NineThousandNineHundredNinetyNineIsFebruary21st2025) {
  EXPECT_EQ(Read(9999, {2025, 2, 15}), "2025-02-21");
  EXPECT_EQ(Read(9999, {2025, 3, 15}), "2025-02-21");
}

TEST(DueFactor, RestartsAtOneThousandOnFebruary22nd2025) {
  EXPECT_EQ(Read(1000, {2025, 2, 15}), "2025-02-22");
  EXPECT_EQ(Read(1001, {2025, 3, 15}), "2025-02-23");
  EXPECT_EQ(Read(1016, {2025, 3, 15}), "2025-03-10");
}

TEST(DueFactor, ReadsTheDateNearestTheReferenceOnBothSidesOfTheRollover) {
  // A slip of late February 2025 fetched in March names a day before the rollover...
  EXPECT_EQ(Read(9990, {2025, 3, 15}), "2025-02-12");
  // ...and a slip of early March fetched in January one after it.
  EXPECT_EQ(Read(1010, {2025, 1, 15}), "2025-03-04");
  // The same factor is a day of 2000 or of 2025 depending on the period.
  EXPECT_EQ(Read(1010, {2000, 7, 15}), "2000-07-13");
}

TEST(DueFactor, FactorOfADueDateRoundTripsFrom2000To2070) {
  for (long day = DaysFromCivil({2000, 7, 3}); day < DaysFromCivil({2070, 1, 1}); day += 7) {
    CivilDate due = CivilFromDays(day);
    auto factor = FactorFromDueDate(due);
    ASSERT_TRUE(factor.has_value());
    ASSERT_GE(*factor, 1000);
    ASSERT_LE(*factor, 9999);
    CivilDate reference = CivilFromDays(day + 20);  // fetched within the month
    EXPECT_EQ(Read(*factor, reference), IsoDate(due)) << "factor " << *factor;
  }
}

TEST(DueFactor, FactorsAroundTheRollover) {
  EXPECT_EQ(FactorFromDueDate({2025, 2, 21}), 9999);
  EXPECT_EQ(FactorFromDueDate({2025, 2, 22}), 1000);
  EXPECT_EQ(FactorFromDueDate({2026, 12, 10}), 1656);
  EXPECT_FALSE(FactorFromDueDate({1997, 10, 7}).has_value());
}

TEST(CivilDate, ParsesPrintedDatesAndRefusesDaysThatDoNotExist) {
  EXPECT_EQ(ParseBrazilianDate("10/12/2026"), (CivilDate{2026, 12, 10}));
  EXPECT_EQ(ParseBrazilianDate("29/02/2024"), (CivilDate{2024, 2, 29}));
  EXPECT_FALSE(ParseBrazilianDate("29/02/2025").has_value());
  EXPECT_FALSE(ParseBrazilianDate("10/13/2026").has_value());
  EXPECT_FALSE(ParseBrazilianDate("1/12/2026").has_value());
  EXPECT_FALSE(ParseBrazilianDate("10-12-2026").has_value());
}

}  // namespace
}  // namespace boletos::boleto
