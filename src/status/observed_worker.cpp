#include "status/observed_worker.h"

#include <algorithm>

namespace boletos::status {

jobs::AttemptResult ObservedWorker::AttemptInTab(const store::WorkItem& item, int attempt, int tab,
                                                 int generation) {
  return Observed(inner_.AttemptInTab(item, attempt, tab, generation));
}

jobs::AttemptResult ObservedWorker::Observed(jobs::AttemptResult result) {
  if (live_) {
    int restarts = inner_.browser_restarts();
    int seen = restarts_seen_.exchange(restarts);  // each restart counted once, whichever tab sees it
    live_->AttemptEnded(!result.ok() && result.failure().browser_died, std::max(0, restarts - seen),
                        inner_.browser_pid());
  }
  return result;
}

}  // namespace boletos::status
