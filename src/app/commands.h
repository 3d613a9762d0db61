#pragma once
// Each command adds its subcommand to the CLI; when the user picks it,
// its callback stores the action main() runs. One file per command.

#include <CLI/CLI.hpp>

#include <functional>

namespace boletos::app {

using CommandAction = std::function<int()>;

void AddImportCommand(CLI::App& app, CommandAction& action);
void AddRunCommand(CLI::App& app, CommandAction& action);     // run and worker
void AddStatusCommand(CLI::App& app, CommandAction& action);
void AddExportCommand(CLI::App& app, CommandAction& action);
void AddRetryCommand(CLI::App& app, CommandAction& action);
void AddDoctorCommand(CLI::App& app, CommandAction& action);

}  // namespace boletos::app
