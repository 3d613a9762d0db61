#include "flow/flow_runner.h"

#include <spdlog/spdlog.h>

#include "flow/safe_file_name.h"

namespace boletos::flow {
namespace {

std::string Where(const Flow& flow, const Step& step) { return flow.path + ":" + std::to_string(step.line); }

Error InStep(const Flow& flow, const Step& step, const Error& e) {
  return Error{e.kind, "step `" + step.Describe() + "` (" + Where(flow, step) + ") failed: " + e.message};
}

// Logs the dialogs the page showed during a step (each was answered
// already); a step that failed names them, since one may be why.
Result<cdp::DownloadResult> WithDialogs(cdp::Page& page, const Flow& flow, const Step& step,
                                        Result<cdp::DownloadResult> outcome) {
  std::vector<std::string> dialogs = page.TakeDialogs();
  if (dialogs.empty()) return outcome;
  std::string shown;
  for (const auto& d : dialogs) {
    spdlog::info("the page showed {} during step `{}` ({}); answered it", d, step.Describe(), Where(flow, step));
    shown += (shown.empty() ? "" : ", ") + d;
  }
  if (outcome.ok()) return outcome;
  return Error{outcome.kind(), outcome.message() + " (the page showed " + shown + ")"};
}

}  // namespace

FlowRunner::FlowRunner(const Flow& flow, Period period, EnvLookup env)
    : flow_(flow), period_(period), env_(std::move(env)) {}

TemplateContext FlowRunner::Context(const Columns* client) const {
  TemplateContext ctx;
  ctx.client = client;
  ctx.vars = &flow_.vars;
  ctx.period = period_;
  ctx.env = env_;
  return ctx;
}

Result<cdp::DownloadResult> FlowRunner::RunStep(cdp::Page& page, const Step& step, const TemplateContext& ctx,
                                                const std::string& dest_path) const {
  Deadline deadline = Deadline::In(step.timeout);
  // A client's data stays data wherever it goes (see RenderFor).
  RenderFor where = RenderFor::kText;
  if (step.kind == StepKind::kEval) where = RenderFor::kJavaScript;
  if (step.kind == StepKind::kGoto || (step.kind == StepKind::kDownload && step.download_by_url)) {
    where = RenderFor::kUrl;
  }
  std::string target = step.target.Render(ctx, where);
  Status s;
  switch (step.kind) {
    case StepKind::kGoto: {
      auto nav = page.Navigate(target, deadline);
      if (!nav.ok()) s = nav.error();
      else if (nav->became_download)
        s = MakeError(ErrorKind::kPortalError, "the page turned into a download: use `download: { url: ... }`");
      break;
    }
    case StepKind::kFill: s = page.Fill(target, step.value.Render(ctx), deadline); break;
    case StepKind::kClick: s = page.Click(target, deadline); break;
    case StepKind::kSelect: s = page.Select(target, step.value.Render(ctx), deadline); break;
    case StepKind::kPress: s = page.Press(target, deadline); break;
    case StepKind::kWaitFor:
      if (step.wait == WaitKind::kSelector) s = page.WaitForSelector(target, deadline);
      else if (step.wait == WaitKind::kText) s = page.WaitForText(target, deadline);
      else s = page.WaitForUrlContains(target, deadline);
      break;
    case StepKind::kEval: {
      auto v = page.Evaluate(target, deadline);
      if (!v.ok()) s = v.error();
      else if (v->is_boolean() && !v->get<bool>()) s = MakeError(ErrorKind::kPortalError, "the script returned false");
      break;
    }
    case StepKind::kDownload: {
      cdp::DownloadAction action;
      (step.download_by_url ? action.url : action.click_selector) = target;
      auto r = page.Download(action, dest_path, step.print_html, deadline);
      if (!r.ok()) return InStep(flow_, step, r.error());
      return r;
    }
    case StepKind::kPrintPdf: {
      s = page.PrintToPdf(dest_path, deadline);
      if (s.ok()) return cdp::DownloadResult{cdp::DownloadResult::Kind::kPrintedHtml, "", "", 0};
      break;
    }
  }
  if (!s.ok()) return InStep(flow_, step, s.error());
  return cdp::DownloadResult{};
}

Status FlowRunner::Login(cdp::Page& page) const {
  TemplateContext ctx = Context(nullptr);
  for (const Step& step : flow_.login_steps) {
    auto r = WithDialogs(page, flow_, step, RunStep(page, step, ctx, ""));
    if (!r.ok()) return r.error();
  }
  return Status::Ok();
}

Result<bool> FlowRunner::LoggedIn(cdp::Page& page) const {
  if (!flow_.login_check) return true;
  std::string selector = flow_.login_check->Render(Context(nullptr));
  auto v = page.Evaluate("!!document.querySelector(" + nlohmann::json(selector).dump() + ")",
                         Deadline::In(std::chrono::seconds(5)));
  if (!v.ok()) return v.error();
  return v->is_boolean() && v->get<bool>();
}

Result<cdp::DownloadResult> FlowRunner::RunClient(cdp::Page& page, const Columns& client,
                                                  const std::string& dest_path) const {
  TemplateContext ctx = Context(&client);
  cdp::DownloadResult last;
  for (const Step& step : flow_.client_steps) {
    auto r = WithDialogs(page, flow_, step, RunStep(page, step, ctx, dest_path));
    if (!r.ok()) return r.error();
    last = *r;
  }
  return last;
}

std::string FlowRunner::OutputName(const Columns& client) const {
  return SafeFileName(flow_.output.Render(Context(&client)));
}

std::vector<std::string> FlowRunner::VerifyNeedles(const Columns& client, bool* is_document) const {
  std::vector<std::string> needles;
  *is_document = false;
  TemplateContext ctx = Context(&client);
  if (!flow_.verify_contains.empty()) {
    for (const auto& t : flow_.verify_contains) {
      std::string v = t.Render(ctx);
      if (!v.empty()) needles.push_back(v);
    }
    return needles;
  }
  auto doc = client.find("document");
  if (doc != client.end() && !doc->second.empty()) {
    needles.push_back(doc->second);
    *is_document = true;
  }
  return needles;
}

}  // namespace boletos::flow
