#pragma once
// MemoryGauge: the browser tree's PSS at about the price of its RSS.
//
// A full PSS read makes the kernel walk every page table of every browser
// process (8-20 ms per Chromium process on the bench machine) while it holds
// that process's memory-map lock; read after every client, it cost --tabs 4 a
// second in 120 clients. RSS is a counter. So the gauge reads PSS in full
// when asked (the memory log, a limit check) and for a browser it has not
// read yet; in between it estimates: the last full PSS plus the tree's RSS
// growth since. A page mapped since adds at most itself to both, so the
// estimate errs high, which is the safe side for a memory limit.

#include <sys/types.h>

#include <utility>

#include "ops/memory_sampler.h"

namespace boletos::ops {

class MemoryGauge {
 public:
  explicit MemoryGauge(MemorySampler sampler = MemorySampler()) : sampler_(std::move(sampler)) {}

  // browser_pgids: as MemorySampler::Sample.
  MemorySnapshot Read(const std::vector<pid_t>& browser_pgids, bool full);

 private:
  MemorySampler sampler_;
  std::vector<pid_t> read_pgids_;  // the browsers the figures below belong to
  int64_t full_pss_kb_ = 0;
  int64_t full_own_kb_ = 0;
  int64_t rss_at_full_kb_ = 0;
};

}  // namespace boletos::ops
