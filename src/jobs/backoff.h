#pragma once
// Retry delays: exponential backoff with jitter, 1 s doubling to a 32 s cap.
// Jitter keeps a fleet of retries from hitting a recovering portal in step.

#include <chrono>
#include <cstdint>

namespace boletos::jobs {

struct BackoffPolicy {
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{32000};
};

// The wait before attempt number `next_attempt` (2 = the first retry).
// "Equal jitter": half the exponential step fixed, half random, so the wait
// is in [step/2, step]. random01 is a value in [0, 1).
std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int next_attempt, double random01);

}  // namespace boletos::jobs
