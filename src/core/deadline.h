#pragma once
// A Deadline is "how long may this still take", passed down to every
// operation instead of timeouts sprinkled at each call (Playwright's way).

#include <algorithm>
#include <chrono>

namespace boletos {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  static Deadline In(std::chrono::milliseconds d) { return Deadline(Clock::now() + d, d); }
  static Deadline At(Clock::time_point t) {
    return Deadline(t, std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()));
  }

  Clock::time_point when() const { return when_; }
  bool expired() const { return Clock::now() >= when_; }
  std::chrono::milliseconds remaining() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(when_ - Clock::now());
    return std::max(left, std::chrono::milliseconds(0));
  }
  // The budget this deadline was made with, for messages ("waited 30s").
  std::chrono::milliseconds budget() const { return budget_; }
  // The earlier of this deadline and now + d.
  Deadline Within(std::chrono::milliseconds d) const {
    auto t = Clock::now() + d;
    return t < when_ ? Deadline(t, d) : *this;
  }

 private:
  Deadline(Clock::time_point when, std::chrono::milliseconds budget) : when_(when), budget_(budget) {}
  Clock::time_point when_;
  std::chrono::milliseconds budget_;
};

}  // namespace boletos
