#include "ops/memory_gauge.h"

#include <algorithm>

namespace boletos::ops {

MemorySnapshot MemoryGauge::Read(const std::vector<pid_t>& browser_pgids, bool full) {
  if (browser_pgids.empty()) return sampler_.Sample(browser_pgids);
  // A browser started or gone since the last full read: nothing to estimate from.
  if (full || browser_pgids != read_pgids_) {
    MemorySnapshot s = sampler_.Sample(browser_pgids, MemorySampler::Browser::kPss);
    read_pgids_ = browser_pgids;
    full_pss_kb_ = s.browser_pss_kb;
    full_own_kb_ = s.browser_pss_own_kb;
    rss_at_full_kb_ = s.browser_rss_kb;
    return s;
  }
  MemorySnapshot s = sampler_.Sample(browser_pgids, MemorySampler::Browser::kRssOnly);
  // RSS that shrank (a freed cache, a helper that exited) is not taken off:
  // how much of it was shared, and so how much PSS went with it, is unknown.
  int64_t growth = std::max<int64_t>(0, s.browser_rss_kb - rss_at_full_kb_);
  s.browser_pss_kb = full_pss_kb_ + growth;
  s.browser_pss_own_kb = full_own_kb_ + growth;
  s.browser_pss_estimated = true;
  return s;
}

}  // namespace boletos::ops
