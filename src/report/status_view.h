#pragma once
// The answer to "what happened?": one StatusReport from the store, rendered
// as JSON (status --json and the /status endpoint share it) or as text.

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace boletos::report {

struct StatusView {
  store::StatusReport report;
  bool run_in_progress = false;   // the instance lock is held right now
  std::string next_client;        // where the next run resumes ("" = nothing pending)
};

// Gathers the view: the report, dead runs marked crashed, and the next
// client in line. caller_holds_lock: the caller is the run (its status
// port), so a `running` run is alive; otherwise the store probes the
// instance lock and marks dead runs under that probe.
Result<StatusView> LoadStatusView(store::Store& store, const std::string& period, bool caller_holds_lock);

nlohmann::json ExportRowToJson(const store::ExportRow& row);
nlohmann::json RunToJson(const store::RunRecord& run);
nlohmann::json StatusToJson(const StatusView& view);
std::string StatusToText(const StatusView& view);

}  // namespace boletos::report
