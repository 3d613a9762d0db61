#include "status/live_json.h"

#include <algorithm>

#include "core/units.h"

namespace boletos::status {
namespace {

using Json = nlohmann::json;

Json KbOrNull(int64_t kb) { return kb < 0 ? Json() : Json(kb); }

}  // namespace

Json LiveToJson(const LiveSnapshot& s, const HealthVerdict& health) {
  const jobs::RunTotals& t = s.progress.totals;
  const jobs::MemoryReading& m = s.progress.memory;
  Json run;
  if (s.run_id > 0) {
    run = Json{{"id", s.run_id},
               {"active", s.run_active},
               {"duration_s", Seconds(s.run_duration)},
               {"progress", std::to_string(s.clients_started) + "/" + std::to_string(t.planned)},
               {"started", s.clients_started},
               {"planned", t.planned},
               {"done", t.done},
               {"none", t.none},
               {"gave_up", t.gave_up},
               {"failed_attempts", t.failed_attempts},
               {"foreign_refused", t.foreign_refused},
               {"bytes", t.bytes},
               {"recycles", t.recycles},
               {"hung_browsers_replaced", t.hung_browsers_replaced},
               {"current_client", s.progress.current_client.empty() ? Json() : Json(s.progress.current_client)}};
    if (s.run_active) {
      run["seconds_since_progress"] = Seconds(s.now - std::max(s.progress.last_progress, s.phase_since));
    }
  }
  Json memory;
  if (s.run_id > 0) {
    memory = Json{{"worker_rss_kb", m.worker_rss_kb},
                  {"browser_pss_kb", m.browser_pss_kb},
                  {"browser_pss_estimated", m.browser_pss_estimated},
                  {"browser_processes", m.browser_processes},
                  {"browsers", m.browsers},
                  {"cgroup_usage_kb", KbOrNull(m.cgroup_usage_kb)},
                  {"cgroup_limit_kb", m.cgroup_limit_kb > 0 ? Json(m.cgroup_limit_kb) : Json()},
                  {"limit_kb", s.memory_limit_kb}};
  }
  Json out{{"phase", LoopPhaseName(s.phase)},
           {"phase_for_s", Seconds(s.now - s.phase_since)},
           {"healthy", health.healthy},
           {"health", health.text},
           {"cycles", s.cycles},
           {"run", run},
           {"memory", memory},
           {"browser",
            {{"pid", s.browser_pid > 0 ? Json(s.browser_pid) : Json()},
             {"restarts", s.browser_restarts},
             {"deaths_in_a_row", s.browser_deaths_in_a_row}}},
           {"failures",
            {{"failed_attempts", s.cumulative.failed_attempts},
             {"gave_up", s.cumulative.gave_up},
             {"foreign_refused", s.cumulative.foreign_refused}}}};
  if (s.phase == LoopPhase::kWaiting) out["next_run_in_s"] = std::max(0.0, Seconds(s.next_run - s.now));
  return out;
}

}  // namespace boletos::status
