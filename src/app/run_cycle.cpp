#include "app/run_cycle.h"

#include <signal.h>
#include <unistd.h>

#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <thread>

#include <spdlog/spdlog.h>

#include "app/exit_codes.h"
#include "cdp/browser_process.h"
#include "core/duration.h"
#include "core/host_name.h"
#include "core/utf8.h"
#include "flow/flow_parser.h"
#include "flow/flow_runner.h"
#include "jobs/chromium_launcher.h"
#include "jobs/output_folder.h"
#include "jobs/runner.h"
#include "jobs/slip_check.h"
#include "jobs/slip_commit.h"
#include "ops/memory_gauge.h"

namespace boletos::app {
namespace {

store::RunOutcome OutcomeFor(jobs::RunEnd end) {
  switch (end) {
    case jobs::RunEnd::kFinished: return store::RunOutcome::kFinished;
    case jobs::RunEnd::kSomeFailed: return store::RunOutcome::kFailed;
    case jobs::RunEnd::kPortalDown: return store::RunOutcome::kPortalDown;
    case jobs::RunEnd::kInterrupted: return store::RunOutcome::kInterrupted;
    case jobs::RunEnd::kStoreFailed: return store::RunOutcome::kFailed;
    case jobs::RunEnd::kHumanNeeded: return store::RunOutcome::kHumanNeeded;
  }
  return store::RunOutcome::kFailed;
}

// Kills the browsers when the grace period after a stop request runs out,
// so the clients in flight are abandoned in time.
class GraceWatchdog {
 public:
  GraceWatchdog(ops::StopSignal& stop, std::chrono::milliseconds grace, jobs::Runner& runner)
      : thread_([this, &stop, grace, &runner] {
          std::unique_lock<std::mutex> lock(mu_);
          while (!done_ && !stop.requested()) {
            lock.unlock();
            stop.WaitFor(std::chrono::milliseconds(200));
            lock.lock();
          }
          if (done_) return;
          spdlog::warn("stop requested: no new client starts; the one in flight has {} to finish",
                       FormatDuration(grace));
          if (!cv_.wait_for(lock, grace, [this] { return done_; })) {
            spdlog::warn("the grace period ran out: abandoning the client in flight");
            runner.Abandon();
          }
        }) {}
  ~GraceWatchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

int Refuse(const Error& e) {
  spdlog::error("{}", e.message);
  return ExitCodeFor(e);
}

}  // namespace

Result<std::map<std::string, std::string>> ParseVars(const std::vector<std::string>& vars) {
  std::map<std::string, std::string> out;
  for (const auto& kv : vars) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return MakeError(ErrorKind::kBadInput, "--var '" + kv + "' is not KEY=VALUE");
    }
    if (!IsValidUtf8(kv)) {
      std::string key = IsValidUtf8(kv.substr(0, eq)) ? kv.substr(0, eq) : "(its name)";
      return MakeError(ErrorKind::kBadInput, "--var " + key + ": not valid UTF-8 (pass it in UTF-8)");
    }
    out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

int RunCycle(const RunOptions& o, store::Store& db, ops::StopSignal& stop, Redactor& redactor,
             status::LiveStatus* live) {
  auto period = o.common.ResolvePeriod();
  if (!period.ok()) return Refuse(period.error());
  auto vars = ParseVars(o.vars);
  if (!vars.ok()) return Refuse(vars.error());
  auto grace = ParseDuration(o.grace);
  if (!grace.ok()) return Refuse(Error{ErrorKind::kBadInput, "--grace: " + grace.message()});

  // Everything that can be wrong in the set-up is found before a browser starts.
  auto flow = flow::LoadFlowFile(o.common.flow, *vars);
  if (!flow.ok()) return Refuse(flow.error());
  flow::EnvLookup env = flow::ProcessEnv();
  if (Status s = flow::CheckEnv(*flow, env); !s.ok()) return Refuse(s.error());
  flow::AddSecrets(*flow, env, redactor);
  auto first = db.NextWork(period->ToString(), "", 1, INT_MAX);
  if (!first.ok()) return Refuse(first.error());
  if (!first->empty()) {
    std::set<std::string> columns;
    for (const auto& [k, _] : first->front().client.columns) columns.insert(k);
    if (Status s = flow::CheckClientColumns(*flow, columns); !s.ok()) return Refuse(s.error());
  }
  auto chromium = cdp::FindChromium(o.common.chromium);
  if (!chromium.ok()) return Refuse(Error{ErrorKind::kBadInput, chromium.message()});
  auto identity = cdp::ResolveBrowserIdentity(o.common.browser_user);
  if (!identity.ok()) return Refuse(identity.error());
  if (identity->drop_privileges) {
    std::string temp_root = cdp::BrowserTempRoot("");
    if (Status reach = cdp::CanReach(temp_root, identity->uid, identity->gid); !reach.ok()) {
      return Refuse(Error{ErrorKind::kBadInput, "the browser runs as user " + identity->user +
                                                    ", who cannot reach the folder for its profile, " + temp_root +
                                                    ": " + reach.message() +
                                                    ". Set TMPDIR to a folder every user can enter (e.g. /tmp), "
                                                    "or --browser-user to a user who can"});
    }
  }
  spdlog::info("{}", identity->Describe());
  jobs::OutputFolder out(o.common.out, period->ToString());
  if (Status s = out.Prepare(); !s.ok()) return Refuse(s.error());
  if (out.removed_leftovers() > 0) {
    spdlog::info("removed {} temporary files a killed run left in {}", out.removed_leftovers(), out.period_dir());
  }
  if (int stale = cdp::RemoveStaleBrowserFolders(); stale > 0) {
    spdlog::info("removed {} browser folders a killed run left in {}", stale, cdp::BrowserTempRoot(""));
  }

  auto dead = db.MarkDeadRunsCrashed();
  if (!dead.ok()) return Refuse(dead.error());
  for (const auto& run : *dead) {
    spdlog::warn("run {} (pid {} on {}, started {}) died without a clean exit: {}", run.id, run.pid, run.host,
                 run.started_at, run.summary);
  }
  auto run_id = db.BeginRun(period->ToString(), getpid(), ThisHostName());
  if (!run_id.ok()) return Refuse(run_id.error());

  flow::FlowRunner flow_runner(*flow, *period, env,
                               [&](std::chrono::steady_clock::time_point t) { return stop.WaitUntil(t); });
  jobs::SlipCheck check(flow->max_pdf_mb, *period);
  jobs::SlipCommit commit(flow_runner, check, out, db, period->ToString(), o.loop.tabs);
  cdp::LaunchOptions launch;
  launch.executable = *chromium;
  launch.identity = *identity;
  jobs::ChromiumLauncher launcher(launch, o.loop.tabs, jobs::SlotServices{flow_runner, commit, out, redactor});

  ops::MemoryGauge gauge;
  jobs::RunnerOptions ro = o.loop;
  ro.period = period->ToString();
  // Test-only and undocumented in --help: the black-box tests (tests/app)
  // retry in tenths of a second instead of seconds. Ignored unless 1..60000.
  if (const char* base = std::getenv("BOLETOS_BACKOFF_BASE_MS")) {
    long ms = std::strtol(base, nullptr, 10);
    if (ms > 0 && ms <= 60000) ro.backoff.base = std::chrono::milliseconds(ms);
  }
  jobs::RunnerEnvironment renv{
      [&] { return stop.requested(); },
      [&](std::chrono::steady_clock::time_point t) { return stop.WaitUntil(t); },
      [&](const std::vector<pid_t>& browsers, bool full) {
        ops::MemorySnapshot s = gauge.Read(browsers, full);
        jobs::MemoryReading m;
        static_cast<MemoryFigures&>(m) = s;
        m.line = ops::FormatMemoryLine(s);
        return m;
      },
      [&] { return std::string(stop.signal_number() == SIGINT ? "SIGINT" : "SIGTERM"); },
      [&](const std::string& text) { return redactor.Redact(text); },
      // Browser deaths and restarts for /healthz.
      [live](bool died, int new_restarts, pid_t browser_pid) {
        if (live) live->AttemptEnded(died, new_restarts, browser_pid);
      }};
  jobs::Runner runner(ro, db, launcher, renv);
  status::RunAttachment attached(live, *run_id, period->ToString(), runner);  // after runner: detaches first

  jobs::RunEnd end;
  {
    GraceWatchdog watchdog(stop, *grace, runner);
    end = runner.Run(*run_id);  // closes every browser before it returns
  }
  if (Status s = db.EndRun(*run_id, OutcomeFor(end), runner.summary()); !s.ok()) {
    spdlog::error("could not record the end of run {}: {}", *run_id, s.message());
  }
  spdlog::info("{}", runner.summary());
  switch (end) {
    case jobs::RunEnd::kFinished: return kExitOk;
    case jobs::RunEnd::kSomeFailed: return kExitSomeFailed;
    case jobs::RunEnd::kPortalDown: return kExitPortalDown;
    case jobs::RunEnd::kInterrupted: return ops::ExitCodeForSignal(stop.signal_number());
    case jobs::RunEnd::kStoreFailed: return kExitSomeFailed;
    case jobs::RunEnd::kHumanNeeded: return kExitHumanNeeded;
  }
  return kExitSomeFailed;
}

}  // namespace boletos::app
