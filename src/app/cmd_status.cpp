// boletos status: progress, last success, the last runs and how they ended.

#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/common_options.h"
#include "app/exit_codes.h"
#include "app/open_store.h"
#include "report/status_view.h"

namespace boletos::app {
namespace {

struct StatusOptions {
  CommonOptions common;
  bool json = false;
};

int RunStatus(const StatusOptions& o) {
  auto opened = OpenPeriodStoreOrSay(o.common);
  if (!opened) return kExitBadInput;
  store::Store& db = *opened->db;
  const std::string& period = opened->period;
  auto view = report::LoadStatusView(db, period, /*caller_holds_lock=*/false);
  if (!view.ok()) {
    SayError(view.message());
    return ExitCodeFor(view.error());
  }
  if (o.json) {
    std::printf("%s\n", report::StatusToJson(*view).dump(2).c_str());
  } else {
    std::fputs(report::StatusToText(*view).c_str(), stdout);
  }
  return kExitOk;
}

}  // namespace

void AddStatusCommand(CLI::App& app, CommandAction& action) {
  auto [cmd, o] = AddSubcommand<StatusOptions>(app, action, "status",
    "progress, last success, the last runs and how they ended", RunStatus);
  cmd->add_flag("--json", o->json, "print JSON (the same as the /status endpoint)");
  AddCommonOptions(cmd, o->common);
}

}  // namespace boletos::app
