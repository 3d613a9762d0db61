#include "core/period.h"

#include <gtest/gtest.h>

using namespace boletos;

TEST(Period, ParsesYearDashMonth) {
  auto p = ParsePeriod("2026-12");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->year, 2026);
  EXPECT_EQ(p->month, 12);
  EXPECT_EQ(p->ToString(), "2026-12");
  EXPECT_EQ(p->MonthName(), "DEZEMBRO");
  EXPECT_EQ(ParsePeriod("2027-03")->MonthName(), "MARCO");
}

TEST(Period, RejectsOtherForms) {
  for (const char* bad : {"2026-13", "2026-00", "26-12", "2026/12", "2026-1", "2026-12x", ""}) {
    auto p = ParsePeriod(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_NE(p.message().find("YYYY-MM"), std::string::npos);
  }
}

TEST(Period, CountsDaysFromTheEpoch) {
  EXPECT_EQ((Period{1970, 1}.DaysSinceEpoch()), 0);
  EXPECT_EQ((Period{2025, 3}.DaysSinceEpoch()), 20148);  // 2025-03-01
}
