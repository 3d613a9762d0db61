#include "app/common_options.h"

namespace boletos::app {

Result<Period> CommonOptions::ResolvePeriod() const {
  if (period.empty()) return CurrentPeriod();
  return ParsePeriod(period);
}

void AddCommonOptions(CLI::App* cmd, CommonOptions& o) {
  cmd->option_defaults()->always_capture_default();
  cmd->add_option("--db", o.db, "SQLite database file")->envname("BOLETOS_DB");
  cmd->add_option("--flow", o.flow, "flow file (YAML)")->envname("BOLETOS_FLOW");
  cmd->add_option("--out", o.out, "output folder; boletos go to OUT/PERIOD/")->envname("BOLETOS_OUT");
  cmd->add_option("--period", o.period, "billing period YYYY-MM (default: the current month)")
      ->envname("BOLETOS_PERIOD");
  cmd->add_option("--chromium", o.chromium,
                  "browser executable (default: /usr/lib/chromium/chromium-headless-shell, then "
                  "chromium-headless-shell, chromium, chromium-browser on PATH)")
      ->envname("BOLETOS_CHROMIUM");
  cmd->add_option("--browser-user", o.browser_user,
                  "the user the browser runs as when boletos runs as root (default: the user `boletos` if it "
                  "exists, else `nobody`)")
      ->envname("BOLETOS_BROWSER_USER");
  cmd->add_option("--log-format", o.log_format, "text or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}))
      ->envname("BOLETOS_LOG_FORMAT");
}

}  // namespace boletos::app
