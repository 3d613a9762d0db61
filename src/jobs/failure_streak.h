#pragma once
// FailureStreak: what the run's latest outcomes say about the browser and
// the portal. A browser whose last K attempts all timed out may be hung
// (a renderer stuck in a script, a tab frozen by something we cannot see):
// it is replaced, not blamed on the portal. The portal "looks down" only
// after N consecutive failures of which some were on a browser started
// during the streak, so a bad browser alone never stops a run; when N
// failures happened all in browsers older than the streak, a fresh one is
// tried first.
//
// Owned and called by the Runner's thread only.

namespace boletos::jobs {

class FailureStreak {
 public:
  // portal_down_after: N (--max-consecutive-failures); hung_after: K.
  FailureStreak(int portal_down_after, int hung_after);

  void Success();
  // in_current_browser: false for an attempt of a browser moved on from,
  // which says nothing about the current one.
  void Failure(bool timed_out, bool in_current_browser);
  // A fresh browser takes the next attempts (recycle, move, crash).
  void BrowserReplaced();

  // The current browser's last K attempts all timed out.
  bool BrowserLooksHung() const { return timeouts_in_browser_ >= hung_after_; }
  // N consecutive failures, and min(K, N) of them on a browser started
  // during the streak.
  bool PortalLooksDown() const;
  // N consecutive failures, none yet on a fresh browser: replace it first.
  bool WantsFreshBrowser() const;
  int consecutive() const { return consecutive_; }
  int hung_after() const { return hung_after_; }

 private:
  int portal_down_after_;
  int hung_after_;
  int consecutive_ = 0;
  int timeouts_in_browser_ = 0;  // consecutive, in the current browser
  bool fresh_in_streak_ = false;  // a browser started since the streak began
  int failures_in_fresh_ = 0;     // failures of the streak in such a browser
};

}  // namespace boletos::jobs
