#include "core/duration.h"

#include <gtest/gtest.h>

using namespace boletos;
using std::chrono::milliseconds;

TEST(Duration, AcceptsEveryUnitOfTheSpec) {
  EXPECT_EQ(ParseDuration("500ms").value(), milliseconds(500));
  EXPECT_EQ(ParseDuration("30s").value(), milliseconds(30000));
  EXPECT_EQ(ParseDuration("5m").value(), milliseconds(300000));
  EXPECT_EQ(ParseDuration("1h").value(), milliseconds(3600000));
  EXPECT_EQ(ParseDuration("1.5s").value(), milliseconds(1500));
}

TEST(Duration, RejectsBareNumbersAndUnknownUnitsWithTheForm) {
  for (const char* bad : {"", "30", "s", "-1s", "5 m", "1d", "abc"}) {
    auto r = ParseDuration(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.kind(), ErrorKind::kBadInput);
    EXPECT_NE(r.message().find("500ms, 30s, 5m or 1h"), std::string::npos);
  }
}

TEST(Duration, FormatsForMessages) {
  EXPECT_EQ(FormatDuration(milliseconds(250)), "250ms");
  EXPECT_EQ(FormatDuration(milliseconds(30000)), "30s");
  EXPECT_EQ(FormatDuration(milliseconds(120000)), "2m");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1.5s");
}
