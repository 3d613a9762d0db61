// boletos import CLIENTS.csv: add or update clients (upsert by id), all or nothing.

#include <cstdio>
#include <memory>

#include "app/commands.h"
#include "app/common_options.h"
#include "app/exit_codes.h"
#include "app/open_store.h"
#include "store/clients_csv.h"

namespace boletos::app {
namespace {

struct ImportOptions {
  CommonOptions common;
  std::string csv;
};

// The message, saying once that nothing was imported.
std::string NothingImported(const std::string& message) {
  if (message.find("nothing was imported") != std::string::npos) return message;
  return message + " (nothing was imported)";
}

int RunImport(const ImportOptions& o) {
  // Read and check the whole file before touching the database.
  auto clients = store::ReadClientsCsv(o.csv);
  if (!clients.ok()) {
    SayError(NothingImported(clients.message()));
    return kExitBadInput;
  }
  auto db = OpenStoreOrSay(o.common.db);
  if (!db) return kExitBadInput;
  auto summary = db->ImportClients(*clients);
  if (!summary.ok()) {
    SayError(NothingImported(summary.message()));
    return ExitCodeFor(summary.error());
  }
  std::printf("imported %zu clients from %s into %s: %d new, %d updated\n", clients->size(), o.csv.c_str(),
              o.common.db.c_str(), summary->inserted, summary->updated);
  return kExitOk;
}

}  // namespace

void AddImportCommand(CLI::App& app, CommandAction& action) {
  auto [cmd, o] = AddSubcommand<ImportOptions>(app, action, "import",
    "add or update clients from a CSV file (upsert by id; all or nothing)", RunImport);
  cmd->add_option("CLIENTS.csv", o->csv, "UTF-8 CSV with a header row; columns id and name required")->required();
  AddCommonOptions(cmd, o->common);
}

}  // namespace boletos::app
