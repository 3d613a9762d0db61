#pragma once
// FlowRunner: a checked Flow played on a browser tab for one run (period,
// environment) and one client at a time. Each step runs under its own
// deadline (`timeout:`); a failed step says which step, where in the file,
// and why.

#include <map>
#include <string>
#include <vector>

#include "cdp/page.h"
#include "flow/flow.h"

namespace boletos::flow {

using Columns = std::map<std::string, std::string>;

class FlowRunner {
 public:
  FlowRunner(const Flow& flow, Period period, EnvLookup env);

  // Runs the login steps.
  Status Login(cdp::Page& page) const;
  // True when the flow has no login check, or its selector is on the page.
  Result<bool> LoggedIn(cdp::Page& page) const;
  // Runs the client steps; the last one saves the boleto at dest_path.
  Result<cdp::DownloadResult> RunClient(cdp::Page& page, const Columns& client, const std::string& dest_path) const;

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

  const Flow& flow_;
  Period period_;
  EnvLookup env_;
};

}  // namespace boletos::flow
