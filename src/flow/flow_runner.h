#pragma once
// FlowRunner: a checked Flow played on a browser tab for one run (period,
// environment) and one client at a time. Each step runs under its own
// deadline (`timeout:`); a failed step says which step, where in the file,
// and why.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cdp/page.h"
#include "flow/flow.h"

namespace boletos::flow {

using Columns = std::map<std::string, std::string>;

// How the client steps ended: with the slip saved (download), or at a
// none_if that matched: the portal has no slip for the client this period.
struct ClientOutcome {
  cdp::DownloadResult download;
  std::string no_slip;  // non-empty: what none_if saw, e.g. `text "Nenhum boleto" (flow.yaml:14)`
};

class FlowRunner {
 public:
  // Sleeps until a time point; false when a stop was requested meanwhile.
  using WaitUntil = std::function<bool(std::chrono::steady_clock::time_point)>;
  // wait_until: how the login's Retry-After waits are slept (a plain sleep
  // when empty); a run passes its stop signal's, so SIGTERM ends the wait.
  FlowRunner(const Flow& flow, Period period, EnvLookup env, WaitUntil wait_until = {});

  // Runs the login steps. A login answered HTTP 429 or 503 is played
  // again after the portal's Retry-After (1 s to 60 s; else 5 s, 10 s, 15 s),
  // up to 4 times; then kPortalError says the portal is busy. A stop
  // requested during a wait ends the login at once with kInterrupted.
  Status Login(cdp::Page& page) const;
  // True when the flow has no login check, or its selector is on the page.
  Result<bool> LoggedIn(cdp::Page& page) const;
  // Runs the client steps; the last one saves the boleto at dest_path,
  // unless a none_if step matches first. A step marked optional that fails
  // is logged and skipped, unless the browser itself is gone.
  Result<ClientOutcome> RunClient(cdp::Page& page, const Columns& client, const std::string& dest_path) const;

  // The passwords to try on a protected slip: pdf_password rendered for the
  // client, then its digits alone when they differ (portals use "the CPF"
  // for 158.813.998-03 meaning 15881399803). None without pdf_password.
  std::vector<std::string> PdfPasswords(const Columns& client) const;
  // The file name for the client's boleto (`output:`, made safe).
  std::string OutputName(const Columns& client) const;
  // What the slip's text must contain: `verify.contains` rendered, or the
  // client's document (is_document = true); empty when neither exists.
  std::vector<std::string> VerifyNeedles(const Columns& client, bool* is_document) const;
  const Flow& flow() const { return flow_; }

 private:
  TemplateContext Context(const Columns* client) const;
  Result<cdp::DownloadResult> RunStep(cdp::Page& page, const Step& step, const TemplateContext& ctx,
                                      const std::string& dest_path) const;
  // Turns the flow's block list on or off in the tab.
  Status BlockFor(cdp::Page& page, bool on) const;
  // RunStep, its dialogs logged, an optional step's failure turned into a
  // logged skip, and a failure on a page that asks for a human into
  // kHumanNeeded.
  Result<cdp::DownloadResult> PlayStep(cdp::Page& page, const Step& step, const TemplateContext& ctx,
                                       const std::string& dest_path) const;

  const Flow& flow_;
  Period period_;
  EnvLookup env_;
  WaitUntil wait_until_;
};

}  // namespace boletos::flow
