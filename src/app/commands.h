#pragma once
// Each command adds its subcommand to the CLI; when the user picks it,
// its callback stores the action main() runs. One file per command.

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <utility>

namespace boletos::app {

using CommandAction = std::function<int()>;

void AddImportCommand(CLI::App& app, CommandAction& action);
void AddRunCommand(CLI::App& app, CommandAction& action);     // run and worker
void AddStatusCommand(CLI::App& app, CommandAction& action);
void AddExportCommand(CLI::App& app, CommandAction& action);
void AddRetryCommand(CLI::App& app, CommandAction& action);
void AddDoctorCommand(CLI::App& app, CommandAction& action);

// A subcommand and the options object CLI11 parses into; picking the
// subcommand sets action to run(options). The caller adds the options.
template <typename Options>
std::pair<CLI::App*, std::shared_ptr<Options>> AddSubcommand(CLI::App& app, CommandAction& action, const char* name,
                                                             const char* help, int (*run)(const Options&)) {
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(name, help);
  cmd->callback([options, &action, run] { action = [options, run] { return run(*options); }; });
  return {cmd, options};
}

}  // namespace boletos::app
