#pragma once
// /metrics: the store's counts and the loop's live numbers in Prometheus
// text format, every name prefixed boletos_. Counters count since this
// process started (a restart resets them, which Prometheus handles);
// gauges say how things stand now. view is null when the store could not
// be read: the live metrics are still served, with boletos_store_up 0.

#include <string>

#include "report/status_view.h"
#include "status/health.h"
#include "status/live_status.h"

namespace boletos::status {

std::string RenderMetrics(const report::StatusView* view, const LiveSnapshot& s, const HealthVerdict& health);

}  // namespace boletos::status
