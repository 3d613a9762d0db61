#pragma once
// The status port's "/" page: one self-contained HTML document (inline
// style, inline SVG, no script, no external asset) with the loop's state,
// the run's progress, memory now, the period's counts, the last success,
// recent failures and the memory chart of the run. It reloads itself
// every 10 s. Every text that came from data is HTML-escaped.

#include <string>
#include <vector>

#include "core/html_escape.h"
#include "report/status_view.h"
#include "status/health.h"
#include "status/live_status.h"

namespace boletos::status {

// view may be null (the store could not be read; store_error says why).
std::string RenderStatusPage(const report::StatusView* view, const std::string& store_error, const LiveSnapshot& s,
                             const HealthVerdict& health, const std::vector<store::MemorySample>& samples,
                             int64_t chart_run_id);

}  // namespace boletos::status
