// boletos retry: put the failed clients of a period back to pending.

#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/common_options.h"
#include "app/exit_codes.h"
#include "app/open_store.h"

namespace boletos::app {
namespace {

struct RetryOptions {
  CommonOptions common;
  bool none = false;  // also the clients with no slip this period
};

int RunRetry(const RetryOptions& options) {
  const CommonOptions& o = options.common;
  auto opened = OpenPeriodStoreOrSay(o);
  if (!opened) return kExitBadInput;
  store::Store& db = *opened->db;
  const std::string& period = opened->period;
  auto reset = db.ResetFailed(period, options.none);
  if (!reset.ok()) {
    SayError(reset.message());
    return ExitCodeFor(reset.error());
  }
  std::printf("%d %s of %s are pending again; the next run takes them\n", *reset,
              options.none ? "failed or no-slip clients" : "failed clients", period.c_str());
  return kExitOk;
}

}  // namespace

void AddRetryCommand(CLI::App& app, CommandAction& action) {
  auto [cmd, o] = AddSubcommand<RetryOptions>(app, action, "retry",
    "put the failed clients of a period back to pending (attempts reset)", RunRetry);
  AddCommonOptions(cmd, o->common);
  cmd->add_flag("--none", o->none, "also the clients with no slip this period (status none)");
}

}  // namespace boletos::app
