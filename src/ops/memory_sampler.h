#pragma once
// MemorySampler: where memory stands, from a few /proc and /sys reads.
// Worker RSS (VmRSS of this process); the browser tree's RSS (statm, a
// counter: cheap) and, when asked, its PSS summed from smaps_rollup over every
// process in the browser's process group (PSS splits shared pages fairly, so
// the sum is the honest figure, but the kernel walks every page table for it:
// 8-20 ms per Chromium process here); and the container's cgroup usage and
// limit, v1 or v2.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/memory_figures.h"

namespace boletos::ops {

// The figures (browser_pss_estimated is set by MemoryGauge between full
// reads), and what only the sampler knows.
struct MemorySnapshot : MemoryFigures {
  int64_t browser_rss_kb = 0;
  int cgroup_version = 0;  // 1, 2, or 0 when none was found
};

class MemorySampler {
 public:
  // The roots are injectable so tests can point them at fake trees.
  explicit MemorySampler(std::string proc_root = "/proc", std::string cgroup_root = "/sys/fs/cgroup");
  enum class Browser { kRssOnly, kPss };
  // Every process in these process groups counts (one group per browser:
  // the current one and, for a moment, the next one starting ahead). Empty:
  // no browser.
  MemorySnapshot Sample(const std::vector<pid_t>& browser_pgids, Browser read = Browser::kPss) const;

 private:
  void ReadCgroup(MemorySnapshot& s) const;
  std::string proc_;
  std::string cgroup_;
};

// "memory: worker RSS 12.3 MB, browser PSS 180.2 MB (3 processes), cgroup 250.1 MB of 512.0 MB (v1)";
// an estimated PSS reads "browser PSS ~180.2 MB (estimated, 3 processes)".
std::string FormatMemoryLine(const MemorySnapshot& s);

}  // namespace boletos::ops
