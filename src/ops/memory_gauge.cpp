#include "ops/memory_gauge.h"

#include <algorithm>

namespace boletos::ops {

MemorySnapshot MemoryGauge::Read(pid_t browser_pgid, bool full) {
  if (browser_pgid <= 0) return sampler_.Sample(browser_pgid);
  if (full || browser_pgid != read_pgid_) {
    MemorySnapshot s = sampler_.Sample(browser_pgid, MemorySampler::Browser::kPss);
    read_pgid_ = browser_pgid;
    full_pss_kb_ = s.browser_pss_kb;
    rss_at_full_kb_ = s.browser_rss_kb;
    return s;
  }
  MemorySnapshot s = sampler_.Sample(browser_pgid, MemorySampler::Browser::kRssOnly);
  // RSS that shrank (a freed cache, a helper that exited) is not taken off:
  // how much of it was shared, and so how much PSS went with it, is unknown.
  s.browser_pss_kb = full_pss_kb_ + std::max<int64_t>(0, s.browser_rss_kb - rss_at_full_kb_);
  s.browser_pss_estimated = true;
  return s;
}

}  // namespace boletos::ops
