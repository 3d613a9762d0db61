#pragma once
// The "live" part of /status: the loop's phase, the run in flight, its
// progress (n/total), the client in flight, memory now, browser health.
// /status is StatusToJson (the same JSON as `status --json`) plus this
// object under "live".

#include <nlohmann/json.hpp>

#include "status/health.h"
#include "status/live_status.h"

namespace boletos::status {

nlohmann::json LiveToJson(const LiveSnapshot& s, const HealthVerdict& health);

}  // namespace boletos::status
