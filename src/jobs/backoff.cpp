#include "jobs/backoff.h"

#include <algorithm>

namespace boletos::jobs {

std::chrono::milliseconds BackoffDelay(const BackoffPolicy& policy, int next_attempt, double random01) {
  int doublings = std::clamp(next_attempt - 2, 0, 30);
  int64_t step = policy.base.count();
  for (int i = 0; i < doublings && step < policy.cap.count(); ++i) step *= 2;
  step = std::min<int64_t>(step, policy.cap.count());
  random01 = std::clamp(random01, 0.0, 1.0);
  return std::chrono::milliseconds(step / 2 + static_cast<int64_t>(static_cast<double>(step / 2) * random01));
}

}  // namespace boletos::jobs
