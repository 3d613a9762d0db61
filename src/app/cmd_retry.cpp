// boletos retry: put the failed clients of a period back to pending.

#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/common_options.h"
#include "app/exit_codes.h"
#include "app/open_store.h"

namespace boletos::app {
namespace {

int RunRetry(const CommonOptions& o) {
  auto opened = OpenPeriodStoreOrSay(o);
  if (!opened) return kExitBadInput;
  store::Store& db = *opened->db;
  const std::string& period = opened->period;
  auto reset = db.ResetFailed(period);
  if (!reset.ok()) {
    SayError(reset.message());
    return ExitCodeFor(reset.error());
  }
  std::printf("%d failed clients of %s are pending again; the next run takes them\n", *reset,
              period.c_str());
  return kExitOk;
}

}  // namespace

void AddRetryCommand(CLI::App& app, CommandAction& action) {
  auto [cmd, o] = AddSubcommand<CommonOptions>(app, action, "retry",
    "put the failed clients of a period back to pending (attempts reset)", RunRetry);
  AddCommonOptions(cmd, *o);
}

}  // namespace boletos::app
