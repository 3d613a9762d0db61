#pragma once
// One run from start to end: checks everything that can be checked before a
// browser starts (flow, templates, environment, database, lock, Chromium,
// output folder), then runs the job loop and records how it ended. `run`
// calls it once; `worker` again and again under one lock.

#include <map>
#include <string>
#include <vector>

#include "app/common_options.h"
#include "core/redactor.h"
#include "ops/stop_signal.h"
#include "status/live_status.h"
#include "jobs/runner.h"
#include "store/store.h"

namespace boletos::app {

struct RunOptions {
  CommonOptions common;
  // --batch, --recycle-every, --memory-limit, --memory-log-every,
  // --max-attempts, --max-consecutive-failures, --tabs (the period is
  // resolved for each cycle).
  jobs::RunnerOptions loop;
  int status_port = -1;
  std::string status_bind = "127.0.0.1";
  std::string status_token;                      // --status-token [BOLETOS_STATUS_TOKEN]
  std::vector<std::string> status_allow_hosts;   // --status-allow-host NAME (repeatable)
  std::vector<std::string> vars;  // KEY=VALUE
  std::string grace = "25s";
};

// Parses --var KEY=VALUE pairs; kBadInput names the bad one.
Result<std::map<std::string, std::string>> ParseVars(const std::vector<std::string>& vars);

// Runs one cycle with the store already open and the instance lock held.
// Returns the exit code of SPEC.md.
// Secrets the flow uses are added to redactor (which the logger uses).
// live (optional): the status port's view of the loop; the run is attached
// to it while the Runner exists.
int RunCycle(const RunOptions& options, store::Store& db, ops::StopSignal& stop, Redactor& redactor,
             status::LiveStatus* live = nullptr);

}  // namespace boletos::app
