// Retry-After as a portal may send it: seconds, or an HTTP date; anything
// else is no hint at all.

#include <gtest/gtest.h>

#include "cdp/document_watch.h"

namespace boletos::cdp {
namespace {

TEST(RetryAfter, SecondsAndHttpDatesAreReadAndNonsenseIsNot) {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37 GMT
  EXPECT_EQ(ParseRetryAfter("120", now), std::chrono::seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 3 ", now), std::chrono::seconds(3));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now), std::chrono::seconds(30));
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", now), std::chrono::seconds(0)) << "a date past is now";
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("99999999999999999999", now), std::nullopt) << "no overflow";
  EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:50:07 GMT trailing", now), std::nullopt);
}

}  // namespace
}  // namespace boletos::cdp
