#include "jobs/backoff.h"

#include <gtest/gtest.h>

using namespace boletos::jobs;
using std::chrono::milliseconds;

TEST(Backoff, DoublesFromOneSecondToAThirtyTwoSecondCap) {
  BackoffPolicy p;
  // With the jitter at its top the wait is the full step.
  EXPECT_EQ(BackoffDelay(p, 2, 0.9999), milliseconds(999));
  EXPECT_EQ(BackoffDelay(p, 3, 1.0), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(p, 4, 1.0), milliseconds(4000));
  EXPECT_EQ(BackoffDelay(p, 7, 1.0), milliseconds(32000));
  EXPECT_EQ(BackoffDelay(p, 30, 1.0), milliseconds(32000));
}

TEST(Backoff, JitterKeepsTheWaitBetweenHalfAndAllOfTheStep) {
  BackoffPolicy p;
  EXPECT_EQ(BackoffDelay(p, 4, 0.0), milliseconds(2000));
  auto mid = BackoffDelay(p, 4, 0.5);
  EXPECT_GT(mid, milliseconds(2000));
  EXPECT_LT(mid, milliseconds(4000));
}
