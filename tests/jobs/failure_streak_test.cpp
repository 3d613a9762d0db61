// FailureStreak: when a browser looks hung and when the portal looks down.

#include "jobs/failure_streak.h"

#include <gtest/gtest.h>

using boletos::jobs::FailureStreak;

namespace {

TEST(FailureStreak, KTimeoutsInARowInOneBrowserLookHung) {
  FailureStreak s(/*portal_down_after=*/10, /*hung_after=*/3);
  s.Failure(true, true);
  s.Failure(true, true);
  EXPECT_FALSE(s.BrowserLooksHung());
  s.Failure(true, true);
  EXPECT_TRUE(s.BrowserLooksHung());
  s.BrowserReplaced();
  EXPECT_FALSE(s.BrowserLooksHung()) << "a fresh browser starts with a clean slate";
}

TEST(FailureStreak, AnotherFailureASuccessOrARetiredBrowsersTimeoutBreakTheTimeouts) {
  FailureStreak s(10, 3);
  s.Failure(true, true);
  s.Failure(true, true);
  s.Failure(false, true);  // not a timeout
  s.Failure(true, true);
  s.Failure(true, false);  // of a browser moved on from: says nothing of this one
  s.Failure(true, true);
  EXPECT_FALSE(s.BrowserLooksHung());
  s.Success();
  s.Failure(true, true);
  s.Failure(true, true);
  EXPECT_FALSE(s.BrowserLooksHung());
}

TEST(FailureStreak, ThePortalLooksDownOnlyOnceAFreshBrowserFailedToo) {
  FailureStreak s(/*portal_down_after=*/4, /*hung_after=*/3);
  for (int i = 0; i < 4; ++i) s.Failure(false, true);
  EXPECT_FALSE(s.PortalLooksDown());
  EXPECT_TRUE(s.WantsFreshBrowser());
  s.BrowserReplaced();
  EXPECT_FALSE(s.WantsFreshBrowser());
  s.Failure(false, true);
  s.Failure(false, true);
  EXPECT_FALSE(s.PortalLooksDown());
  s.Failure(false, true);
  EXPECT_TRUE(s.PortalLooksDown());
  EXPECT_EQ(s.consecutive(), 7);
}

TEST(FailureStreak, AReplacementDuringTheStreakCountsAsFresh) {
  FailureStreak s(5, 3);
  s.Failure(true, true);
  s.Failure(true, true);
  s.Failure(true, true);  // hung: replaced
  s.BrowserReplaced();
  s.Failure(false, true);
  s.Failure(false, true);
  EXPECT_FALSE(s.PortalLooksDown()) << "only 2 on the fresh browser";
  EXPECT_FALSE(s.WantsFreshBrowser()) << "one was tried already";
  s.Failure(false, true);
  EXPECT_TRUE(s.PortalLooksDown());
}

TEST(FailureStreak, ASuccessEndsTheStreak) {
  FailureStreak s(2, 3);
  s.Failure(false, true);
  s.BrowserReplaced();
  s.Success();
  s.Failure(false, true);
  s.Failure(false, true);
  EXPECT_FALSE(s.PortalLooksDown());
  EXPECT_TRUE(s.WantsFreshBrowser()) << "the replacement before the success belongs to no streak";
}

}  // namespace
