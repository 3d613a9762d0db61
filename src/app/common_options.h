#pragma once
// The options every command shares (SPEC.md "Common options"), each also
// read from its environment variable.

#include <CLI/CLI.hpp>

#include <string>

#include "core/period.h"
#include "core/result.h"

namespace boletos::app {

struct CommonOptions {
  std::string db = "./boletos.db";
  std::string flow = "./flow.yaml";
  std::string out = "./boletos";
  std::string period;  // empty: the current month
  std::string chromium;
  std::string browser_user;  // empty: the default (see cdp::ResolveBrowserIdentity)
  std::string log_format = "text";

  // The period to work on: --period, else the current month.
  Result<Period> ResolvePeriod() const;
};

// Adds --db, --flow, --out, --period, --chromium, --browser-user,
// --log-format to cmd.
void AddCommonOptions(CLI::App* cmd, CommonOptions& options);

}  // namespace boletos::app
