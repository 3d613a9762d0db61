// boletos: the thin entry point. Everything else lives in the libraries.

#include <malloc.h>

#include <CLI/CLI.hpp>

#include <cstdio>

#include "app/commands.h"
#include "app/exit_codes.h"

int main(int argc, char** argv) {
  // Two malloc arenas, not glibc's default of one per thread up to 8 per
  // core: with --tabs 4 the per-thread arenas held 3 MB of worker RSS, and the
  // threads mostly wait on the browser, so they hardly contend for the lock.
  mallopt(M_ARENA_MAX, 2);
  CLI::App app{
      "boletos downloads one boleto (PDF) per client from a customer portal with headless Chromium,\n"
      "records every download in SQLite and resumes after the last success.\n\n"
      "Start here:  boletos import clients.csv  &&  boletos run --batch 20  &&  boletos status",
      "boletos"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every command");
  boletos::app::CommandAction action;
  boletos::app::AddImportCommand(app, action);
  boletos::app::AddRunCommand(app, action);
  boletos::app::AddStatusCommand(app, action);
  boletos::app::AddExportCommand(app, action);
  boletos::app::AddRetryCommand(app, action);
  boletos::app::AddDoctorCommand(app, action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : boletos::app::kExitBadInput;
  }
  return action ? action() : boletos::app::kExitBadInput;
}
