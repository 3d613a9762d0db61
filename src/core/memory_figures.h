#pragma once
// MemoryFigures: one reading of the run's memory - the worker, the browser
// tree, the container. What the gauge reads (ops::MemorySnapshot) and what
// the Runner decides by (jobs::MemoryReading) are both these figures, with
// a little more each.

#include <cstdint>

namespace boletos {

struct MemoryFigures {
  int64_t worker_rss_kb = 0;
  int64_t browser_pss_kb = 0;  // 0 when only RSS was read
  // The part of that PSS in anonymous and shared-memory pages (Pss_Anon +
  // Pss_Shmem), read with it: what one more browser like it would add to
  // the tree's PSS. Its file pages (the binary, fonts, ICU data) are mapped
  // by the other browser already, and a page's PSS only splits further.
  int64_t browser_pss_own_kb = 0;
  bool browser_pss_estimated = false;  // from RSS growth since the last full read
  int browser_processes = 0;
  int browsers = 0;  // two while the next one starts ahead
  int64_t cgroup_usage_kb = -1;  // -1: unknown
  int64_t cgroup_limit_kb = -1;  // -1: unknown or unlimited
};

}  // namespace boletos
