#pragma once
// The memory chart of the status page: an inline SVG drawn here, from the
// samples the store keeps for a run (one every --memory-log-every clients),
// so the page needs no script and no external asset. One polyline and one
// dot per sample for each series: worker RSS (#worker-rss), browser PSS
// (#browser-pss) and, when known, the cgroup's usage (#cgroup-usage); the
// memory limit is a dashed line (#memory-limit).

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.h"

namespace boletos::status {

// limit_kb <= 0: no limit line. An empty sample list gives a short
// paragraph saying when samples appear instead of an empty chart.
std::string MemoryChartSvg(const std::vector<store::MemorySample>& samples, int64_t limit_kb);

}  // namespace boletos::status
