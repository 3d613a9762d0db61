// boletos export: one row per client for a period, CSV or JSON, on stdout.

#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/common_options.h"
#include "app/exit_codes.h"
#include "app/open_store.h"
#include "report/export_writer.h"

namespace boletos::app {
namespace {

struct ExportOptions {
  CommonOptions common;
  std::string format = "csv";
};

int RunExport(const ExportOptions& o) {
  auto opened = OpenPeriodStoreOrSay(o.common);
  if (!opened) return kExitBadInput;
  store::Store& db = *opened->db;
  const std::string& period = opened->period;
  auto format = o.format == "json" ? report::ExportFormat::kJson : report::ExportFormat::kCsv;
  Status s = report::WriteExport(db, period, format, stdout);
  if (!s.ok()) {
    SayError(s.message());
    return ExitCodeFor(s.error());
  }
  return kExitOk;
}

}  // namespace

void AddExportCommand(CLI::App& app, CommandAction& action) {
  auto [cmd, o] = AddSubcommand<ExportOptions>(app, action, "export",
    "one row per client for a period (CSV or JSON on stdout)", RunExport);
  cmd->add_option("--format", o->format, "csv or json")->check(CLI::IsMember({"csv", "json"}))->capture_default_str();
  AddCommonOptions(cmd, o->common);
}

}  // namespace boletos::app
