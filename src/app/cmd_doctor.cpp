// boletos doctor: check Chromium, the database, the output folder, the flow
// and the memory limit; say what to fix for each check that fails.

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "app/commands.h"
#include "app/exit_codes.h"
#include "app/run_cycle.h"
#include "cdp/browser.h"
#include "flow/flow_parser.h"
#include "ops/memory_sampler.h"
#include "store/store.h"

namespace boletos::app {
namespace {

struct DoctorOptions {
  RunOptions run;
};

class Report {
 public:
  void Ok(const std::string& what) { std::printf("ok    %s\n", what.c_str()); }
  void Fail(const std::string& what, const std::string& fix) {
    ++failures_;
    std::printf("FAIL  %s\n      fix: %s\n", what.c_str(), fix.c_str());
  }
  // Works, but is unsafe: said, not counted as a failure.
  void Warn(const std::string& what, const std::string& fix) {
    std::printf("WARN  %s\n      fix: %s\n", what.c_str(), fix.c_str());
  }
  int failures() const { return failures_; }

 private:
  int failures_ = 0;
};

void CheckChromium(const DoctorOptions& o, Report& r) {
  auto path = cdp::FindChromium(o.run.common.chromium);
  if (!path.ok()) return r.Fail("Chromium: " + path.message(), "apt-get install chromium-headless-shell, or --chromium PATH");
  auto identity = cdp::ResolveBrowserIdentity(o.run.common.browser_user);
  if (!identity.ok()) return r.Fail("the browser's user: " + identity.message(), "name an existing unprivileged user");
  r.Ok(identity->Describe());
  cdp::LaunchOptions launch;
  launch.executable = *path;
  launch.identity = *identity;
  auto browser = cdp::Browser::Launch(launch);
  if (!browser.ok()) return r.Fail("Chromium at " + *path + " does not start: " + browser.message(),
                                   "run it by hand to see why, or try another --browser-user");
  r.Ok("Chromium " + (*browser)->version() + " at " + *path + " answers CDP (started in " +
       std::to_string((*browser)->startup_time().count()) + " ms)");
  (*browser)->Close();
}

void CheckDatabase(const DoctorOptions& o, Report& r) {
  auto db = store::OpenSqliteStore(o.run.common.db);
  if (!db.ok()) {
    // A file that is there but does not open is damaged or not ours; no --db in another folder fixes it.
    std::error_code ec;
    bool exists = std::filesystem::exists(o.run.common.db, ec);
    return r.Fail("database: " + db.message(),
                  exists ? "restore it from a backup, or move it away so the next command starts a new one"
                         : "pass --db with a path in an existing, writable folder");
  }
  if (Status s = (*db)->CheckIntegrity(); !s.ok()) {
    return r.Fail("database " + o.run.common.db + ": " + s.message(), "restore it from a backup or start a new one");
  }
  if (access(o.run.common.db.c_str(), W_OK) != 0) {
    return r.Fail("database " + o.run.common.db + " is not writable", "fix its permissions");
  }
  r.Ok("database " + o.run.common.db + " opens, is writable and its schema is current");
}

void CheckOutput(const DoctorOptions& o, Report& r) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(o.run.common.out, ec);
  if (ec || access(o.run.common.out.c_str(), W_OK) != 0) {
    return r.Fail("output folder " + o.run.common.out + " is not writable" + (ec ? ": " + ec.message() : ""),
                  "create it with write permission or pass another --out");
  }
  struct statvfs vfs {};
  if (statvfs(o.run.common.out.c_str(), &vfs) == 0) {
    double free_mb = static_cast<double>(vfs.f_bavail) * static_cast<double>(vfs.f_frsize) / 1048576.0;
    if (free_mb < 100) {
      return r.Fail("output folder " + o.run.common.out + " has only " + std::to_string(static_cast<int>(free_mb)) +
                        " MB free",
                    "free some space or attach a bigger disk");
    }
    r.Ok("output folder " + o.run.common.out + " is writable, " + std::to_string(static_cast<long>(free_mb)) +
         " MB free");
  }
}

// A flow is code: its eval steps run in the logged-in browser. Whoever can
// change the file (or replace it in its folder) can act on the portal.
void CheckFlowIsOnlyOurs(const std::string& flow_path, Report& r) {
  namespace fs = std::filesystem;
  auto who = [](const struct stat& st, const std::string& what) -> std::string {
    if (st.st_uid != geteuid() && st.st_uid != 0) {
      return what + " belongs to another user (uid " + std::to_string(st.st_uid) + ")";
    }
    if (st.st_mode & S_IWOTH) return what + " is writable by every user";
    if (st.st_mode & S_IWGRP) return what + " is writable by its group";
    return "";
  };
  struct stat file {};
  if (stat(flow_path.c_str(), &file) != 0) return;
  std::string problem = who(file, "the flow file " + flow_path);
  std::string folder = fs::absolute(fs::path(flow_path)).parent_path().string();
  struct stat dir {};
  // A sticky folder (/tmp) lets nobody else replace the file.
  if (problem.empty() && stat(folder.c_str(), &dir) == 0 && !(dir.st_mode & S_ISVTX)) {
    problem = who(dir, "its folder " + folder);
  }
  if (problem.empty()) return;
  r.Warn(problem + ": a flow is code (its eval steps run in the logged-in browser)",
         "chmod go-w and chown it to the worker's user, or keep the flow in the image, not on a shared data disk");
}

void CheckFlow(const DoctorOptions& o, Report& r) {
  auto vars = ParseVars(o.run.vars);
  if (!vars.ok()) return r.Fail(vars.message(), "write --var KEY=VALUE");
  auto flow = flow::LoadFlowFile(o.run.common.flow, *vars);
  if (!flow.ok()) return r.Fail("flow: " + flow.message(), "fix the flow file at the line named");
  if (Status s = flow::CheckEnv(*flow, flow::ProcessEnv()); !s.ok()) {
    return r.Fail("flow: " + s.message(), "set them in the environment (on Render: the service's env vars)");
  }
  r.Ok("flow " + o.run.common.flow + " parses (" + std::to_string(flow->client_steps.size()) +
       " client steps) and every env variable it uses is set");
  CheckFlowIsOnlyOurs(o.run.common.flow, r);
}

void CheckMemory(const DoctorOptions& o, Report& r) {
  ops::MemorySnapshot s = ops::MemorySampler().Sample({});
  if (s.cgroup_version == 0 || s.cgroup_limit_kb <= 0) {
    r.Ok("no container memory limit found; --memory-limit " + std::to_string(o.run.loop.memory_limit_mb) +
         " MB is the limit in force");
    return;
  }
  int64_t cgroup_mb = s.cgroup_limit_kb / 1024;
  if (cgroup_mb < o.run.loop.memory_limit_mb) {
    return r.Fail("the container's memory limit (" + std::to_string(cgroup_mb) + " MB, cgroup v" +
                      std::to_string(s.cgroup_version) + ") is below --memory-limit " +
                      std::to_string(o.run.loop.memory_limit_mb) + " MB; boletos will use the lower one",
                  "pass --memory-limit " + std::to_string(cgroup_mb) + " or less");
  }
  r.Ok("container memory limit " + std::to_string(cgroup_mb) + " MB (cgroup v" + std::to_string(s.cgroup_version) +
       ") is at or above --memory-limit " + std::to_string(o.run.loop.memory_limit_mb) + " MB");
}

int RunDoctor(const DoctorOptions& o) {
  Report r;
  CheckChromium(o, r);
  CheckDatabase(o, r);
  CheckOutput(o, r);
  CheckFlow(o, r);
  CheckMemory(o, r);
  if (r.failures() == 0) {
    std::printf("all checks passed\n");
    return kExitOk;
  }
  std::printf("%d check%s failed\n", r.failures(), r.failures() == 1 ? "" : "s");
  return kExitBadInput;
}

}  // namespace

void AddDoctorCommand(CLI::App& app, CommandAction& action) {
  auto [cmd, o] = AddSubcommand<DoctorOptions>(app, action, "doctor",
    "check Chromium, the database, the output folder and the flow; say what to fix", RunDoctor);
  AddCommonOptions(cmd, o->run.common);
  cmd->add_option("--memory-limit", o->run.loop.memory_limit_mb, "MB, compared with the container's limit")->capture_default_str();
  cmd->add_option("--var", o->run.vars, "KEY=VALUE, as for run");
}

}  // namespace boletos::app
