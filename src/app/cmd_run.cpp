// boletos run: download the pending boletos of a period, once.
// boletos worker --every DUR | --at HH:MM: run again and again (a Render
// background worker), holding the database's lock for its whole life.

#include <unistd.h>

#include <ctime>
#include <memory>

#include <spdlog/spdlog.h>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/open_store.h"
#include "app/run_cycle.h"
#include "core/duration.h"
#include "ops/logging.h"
#include "ops/stray_reaper.h"
#include "status/progress_line.h"
#include "status/status_service.h"
#include "store/instance_lock.h"

namespace boletos::app {
namespace {

struct WorkerOptions {
  RunOptions run;
  std::string every;
  std::string at;
};

void AddRunOptions(CLI::App* cmd, RunOptions& o) {
  AddCommonOptions(cmd, o.common);
  cmd->add_option("--batch", o.loop.batch, "at most N clients this run (default: all pending)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--recycle-every", o.loop.recycle_every, "new browser after N downloads")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--memory-limit", o.loop.memory_limit_mb, "MB for worker + browser; the browser is recycled at 70%")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--memory-log-every", o.loop.memory_log_every, "a memory line every N clients")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--max-attempts", o.loop.max_attempts, "attempts per client before it is failed")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--max-consecutive-failures", o.loop.max_consecutive_failures,
                  "stop with exit 3 after N failures in a row (the portal looks down)")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--tabs", o.loop.tabs, "clients in parallel in one browser, one per tab (they share the login)")
      ->check(CLI::Range(1, 16))->capture_default_str();
  cmd->add_option("--status-port", o.status_port, "serve /, /healthz, /status, /metrics on 127.0.0.1:P (0 = any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--status-bind", o.status_bind, "address for --status-port (0.0.0.0 = every interface)")
      ->capture_default_str();
  cmd->add_option("--status-token", o.status_token,
                  "/status and / (clients' data) only with this token (Bearer or ?token=); needed off loopback")
      ->envname("BOLETOS_STATUS_TOKEN");
  cmd->add_option("--status-allow-host", o.status_allow_hosts,
                  "a host name the status port answers to besides its address, localhost and this machine's name");
  cmd->add_option("--var", o.vars, "KEY=VALUE, overrides the flow's vars (repeatable)");
  cmd->add_option("--grace", o.grace, "after SIGTERM/SIGINT, how long the client in flight may take")
      ->capture_default_str();
}

// Opens the database and takes its lock; exit code on failure.
int OpenLocked(const RunOptions& o, std::unique_ptr<store::Store>& db, std::optional<store::InstanceLock>& lock,
               const std::string& command) {
  // The run waits out an operator's import or retry instead of stopping.
  store::SqliteOptions options;
  options.busy_wait = store::kRunBusyWait;
  db = OpenStoreOrSay(o.common.db, options);
  if (!db) return kExitBadInput;
  auto held = store::InstanceLock::Acquire(o.common.db, command);
  if (!held.ok()) {
    SayError(held.message());
    return ExitCodeFor(held.error());
  }
  lock.emplace(std::move(*held));
  return kExitOk;
}

// The status port, when asked for (--status-port); null otherwise. It is
// started after the lock is taken, so a refused second copy binds nothing.
int StartStatusPort(const RunOptions& o, store::Store& db, status::LiveStatus& live, ops::StopSignal& stop,
                    std::unique_ptr<status::StatusService>& service) {
  live.WatchStop([&stop] { return stop.requested(); });
  auto period = o.common.ResolvePeriod();
  live.CycleStarting(period.ok() ? period->ToString() : "");
  if (o.status_port < 0) return kExitOk;
  status::StatusServiceOptions so;
  so.bind = o.status_bind;
  so.port = o.status_port;
  so.access.token = o.status_token;
  so.access.allowed_hosts = o.status_allow_hosts;
  auto started = status::StatusService::Start(db, live, so);
  if (!started.ok()) {
    SayError(started.message());
    return kExitBadInput;
  }
  service = std::move(*started);
  return kExitOk;
}

int RunOnce(const RunOptions& o) {
  Redactor redactor;
  ops::SetupLogging(o.common.log_format == "json" ? ops::LogFormat::kJson : ops::LogFormat::kText, &redactor);
  ops::StopSignal stop;
  std::unique_ptr<store::Store> db;
  std::optional<store::InstanceLock> lock;
  if (int code = OpenLocked(o, db, lock, "run"); code != kExitOk) return code;
  ops::StrayReaper reaper;  // we may be PID 1 in a container
  status::LiveStatus live(o.loop.memory_limit_mb);
  std::unique_ptr<status::StatusService> service;
  if (int code = StartStatusPort(o, *db, live, stop, service); code != kExitOk) return code;
  status::ProgressLine progress(live);  // on a terminal only
  return RunCycle(o, *db, stop, redactor, &live);
}

// The next HH:MM (local time) after now.
std::chrono::system_clock::time_point NextDailyTime(int hour, int minute) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = 0;
  std::time_t t = std::mktime(&tm);
  if (t <= now) t += 24 * 3600;
  return std::chrono::system_clock::from_time_t(t);
}

int RunWorker(const WorkerOptions& o) {
  Redactor redactor;
  ops::SetupLogging(o.run.common.log_format == "json" ? ops::LogFormat::kJson : ops::LogFormat::kText, &redactor);
  if (o.every.empty() == o.at.empty()) {
    SayError("worker needs exactly one of --every DURATION (e.g. 6h) or --at HH:MM");
    return kExitBadInput;
  }
  std::chrono::milliseconds every{0};
  int at_hour = -1, at_minute = -1;
  if (!o.every.empty()) {
    auto d = ParseDuration(o.every);
    if (!d.ok() || d->count() == 0) {
      SayError("--every: " + (d.ok() ? std::string("must be more than 0") : d.message()));
      return kExitBadInput;
    }
    every = *d;
  } else if (std::sscanf(o.at.c_str(), "%d:%d", &at_hour, &at_minute) != 2 || at_hour < 0 || at_hour > 23 ||
             at_minute < 0 || at_minute > 59 || o.at.size() != 5) {
    SayError("--at '" + o.at + "' is not HH:MM (e.g. 06:30)");
    return kExitBadInput;
  }
  ops::StopSignal stop;
  std::unique_ptr<store::Store> db;
  std::optional<store::InstanceLock> lock;
  if (int code = OpenLocked(o.run, db, lock, "worker"); code != kExitOk) return code;
  ops::StrayReaper reaper;  // the worker is PID 1 in a container
  // The status port lives across cycles: /healthz answers while we wait.
  status::LiveStatus live(o.run.loop.memory_limit_mb);
  std::unique_ptr<status::StatusService> service;
  if (int code = StartStatusPort(o.run, *db, live, stop, service); code != kExitOk) return code;
  status::ProgressLine progress(live);  // on a terminal only

  for (int cycle = 1;; ++cycle) {
    auto started = std::chrono::steady_clock::now();
    spdlog::info("worker: cycle {} starts", cycle);
    if (cycle > 1) {
      auto period = o.run.common.ResolvePeriod();
      live.CycleStarting(period.ok() ? period->ToString() : "");
    }
    int code = RunCycle(o.run, *db, stop, redactor, &live);
    if (code == kExitBadInput) return code;  // a broken set-up does not heal by waiting
    if (stop.requested()) break;
    auto next = every.count() > 0
                    ? started + every
                    : std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              NextDailyTime(at_hour, at_minute) - std::chrono::system_clock::now());
    auto wait_s = std::chrono::duration_cast<std::chrono::seconds>(next - std::chrono::steady_clock::now()).count();
    spdlog::info("worker: cycle {} ended with exit code {}; next cycle in {} s", cycle, code, std::max<long long>(0, wait_s));
    live.Waiting(next);
    if (!stop.WaitUntil(next)) break;
  }
  live.Stopping();
  int code = ops::ExitCodeForSignal(stop.signal_number());
  spdlog::info("worker stopped by {}, cleanly", code == kExitSigint ? "SIGINT" : "SIGTERM");
  return code;
}

}  // namespace

void AddRunCommand(CLI::App& app, CommandAction& action) {
  auto [run, ro] = AddSubcommand<RunOptions>(app, action, "run",
    "download the pending boletos of a period, once", RunOnce);
  AddRunOptions(run, *ro);

  auto [worker, wo] = AddSubcommand<WorkerOptions>(app, action, "worker",
    "run again and again (a Render background worker)", RunWorker);
  AddRunOptions(worker, wo->run);
  worker->add_option("--every", wo->every, "start a run every DURATION (e.g. 6h), counted from the last start");
  worker->add_option("--at", wo->at, "start a run every day at HH:MM (local time)");
}

}  // namespace boletos::app
