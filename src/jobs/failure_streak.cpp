#include "jobs/failure_streak.h"

#include <algorithm>

namespace boletos::jobs {

FailureStreak::FailureStreak(int portal_down_after, int hung_after)
    : portal_down_after_(std::max(1, portal_down_after)), hung_after_(std::max(1, hung_after)) {}

void FailureStreak::Success() {
  consecutive_ = 0;
  timeouts_in_browser_ = 0;
  fresh_in_streak_ = false;
  failures_in_fresh_ = 0;
}

void FailureStreak::Failure(bool timed_out, bool in_current_browser) {
  ++consecutive_;
  if (!in_current_browser) return;
  timeouts_in_browser_ = timed_out ? timeouts_in_browser_ + 1 : 0;
  if (fresh_in_streak_) ++failures_in_fresh_;
}

void FailureStreak::BrowserReplaced() {
  timeouts_in_browser_ = 0;
  if (consecutive_ > 0) fresh_in_streak_ = true;
}

bool FailureStreak::PortalLooksDown() const {
  return consecutive_ >= portal_down_after_ && failures_in_fresh_ >= std::min(hung_after_, portal_down_after_);
}

bool FailureStreak::WantsFreshBrowser() const { return consecutive_ >= portal_down_after_ && !fresh_in_streak_; }

}  // namespace boletos::jobs
