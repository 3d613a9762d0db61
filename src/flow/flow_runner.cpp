#include "flow/flow_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "core/digits.h"
#include "flow/safe_file_name.h"

namespace boletos::flow {
namespace {

// Looking for a CAPTCHA is one script in a page that just failed a step.
constexpr std::chrono::seconds kHumanCheckTime{3};
// A login answered 429/503: how often, and how long to wait in between
// (Retry-After within 1 s..kLongestLoginWait, else kLoginBackoff x round).
constexpr int kLoginRounds = 4;
constexpr std::chrono::seconds kLongestLoginWait{60};
constexpr std::chrono::seconds kLoginBackoff{5};

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

// The step's `frame:` path entered (nothing to do without one); the
// caller's FrameGuard goes back to the top document.
Status EnterStepFrames(cdp::Page& page, const Step& step, const TemplateContext& ctx, Deadline deadline) {
  if (step.frames.empty()) return Status::Ok();
  std::vector<std::string> path;
  for (const auto& f : step.frames) path.push_back(f.Render(ctx));
  return page.EnterFrames(path, deadline);
}

}  // namespace

FlowRunner::FlowRunner(const Flow& flow, Period period, EnvLookup env, WaitUntil wait_until)
    : flow_(flow), period_(period), env_(std::move(env)), wait_until_(std::move(wait_until)) {
  if (!wait_until_) {
    wait_until_ = [](std::chrono::steady_clock::time_point t) {
      std::this_thread::sleep_until(t);
      return true;
    };
  }
}

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
  cdp::FrameGuard top_again(page);
  if (Status in = EnterStepFrames(page, step, ctx, deadline); !in.ok()) return InStep(flow_, step, in.error());
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
      if (ctx.client) action.html_must_show = VerifyNeedles(*ctx.client, &action.needles_are_document);
      action.max_pdf_bytes = static_cast<int64_t>(flow_.max_pdf_mb) * 1024 * 1024;
      auto r = page.Download(action, dest_path, step.print_html, deadline);
      if (!r.ok()) return InStep(flow_, step, r.error());
      return r;
    }
    case StepKind::kPrintPdf: {
      s = page.PrintToPdf(dest_path, deadline);
      if (s.ok()) return cdp::DownloadResult{cdp::DownloadResult::Kind::kPrintedHtml, "", "", 0};
      break;
    }
    case StepKind::kNoneIf:
      break;  // never played: RunClient looks itself, since a match ends the steps
  }
  if (!s.ok()) return InStep(flow_, step, s.error());
  return cdp::DownloadResult{};
}

Result<cdp::DownloadResult> FlowRunner::PlayStep(cdp::Page& page, const Step& step, const TemplateContext& ctx,
                                                 const std::string& dest_path) const {
  auto r = WithDialogs(page, flow_, step, RunStep(page, step, ctx, dest_path));
  if (r.ok()) return r;
  if (r.kind() == ErrorKind::kConnectionClosed || r.kind() == ErrorKind::kTargetCrashed) return r;
  if (step.optional) {
    spdlog::info("optional step skipped: {}", r.message());
    return cdp::DownloadResult{};
  }
  // A step that fails on a CAPTCHA page fails for every client after it:
  // the run must stop and say so, not retry into a ban.
  auto human = page.HumanCheck(Deadline::In(kHumanCheckTime));
  if (human.ok() && !human->empty()) {
    return Error{ErrorKind::kHumanNeeded, "the portal asks for a human: " + *human + " at step `" + step.Describe() +
                                              "` (" + Where(flow_, step) +
                                              "); solve it in a browser or wait, then run again"};
  }
  // Where the tab was, unless the message says it already.
  auto place = page.WhereNow(Deadline::In(kHumanCheckTime));
  if (place.ok() && !place->url.empty() && r.message().find(place->url) == std::string::npos) {
    return Error{r.kind(), r.message() + "; the page was " + place->Describe()};
  }
  return r;
}

Status FlowRunner::BlockFor(cdp::Page& page, bool on) const {
  page.SetBlockList(flow_.block_types, flow_.block_urls);
  Status s = page.Block(on, Deadline::In(std::chrono::seconds(5)));
  if (!s.ok()) return MakeError(s.kind(), "the flow's block list could not be turned " + std::string(on ? "on" : "off") +
                                              ": " + s.message());
  return s;
}

Status FlowRunner::Login(cdp::Page& page) const {
  TemplateContext ctx = Context(nullptr);
  if (Status blocking = BlockFor(page, true); !blocking.ok()) return blocking;
  for (int round = 1;; ++round) {
    // A portal that answers a login 429 or 503 asks to be left alone for a
    // while: the login waits (its Retry-After, within bounds) and goes again.
    auto documents = page.WatchDocuments(Deadline::In(std::chrono::seconds(5)));
    Status played = Status::Ok();
    for (const Step& step : flow_.login_steps) {
      auto r = PlayStep(page, step, ctx, "");
      if (!r.ok()) {
        played = r.error();
        break;
      }
    }
    auto busy = documents->busy();
    if (!busy || (!played.ok() && played.kind() == ErrorKind::kHumanNeeded)) return played;
    std::string said = "HTTP " + std::to_string(busy->status) + " at " + busy->url +
                       (busy->retry_after ? " (Retry-After: " + std::to_string(busy->retry_after->count()) + " s)" : "");
    if (round >= kLoginRounds) {
      return MakeError(ErrorKind::kPortalError, "the portal answered the login with " + said + ", " +
                                                    std::to_string(round) + " times in a row: it is busy; try later");
    }
    auto wait = busy->retry_after ? std::clamp(*busy->retry_after, std::chrono::seconds(1), kLongestLoginWait)
                                  : kLoginBackoff * round;
    spdlog::warn("the portal answered the login with {}; logging in again in {} s", said, wait.count());
    if (!wait_until_(std::chrono::steady_clock::now() + wait)) {
      return MakeError(ErrorKind::kInterrupted, "stopped while waiting to log in again (" + said + ")");
    }
  }
}

Result<bool> FlowRunner::LoggedIn(cdp::Page& page) const {
  if (!flow_.login_check) return true;
  std::string selector = flow_.login_check->Render(Context(nullptr));
  auto v = page.Evaluate("!!document.querySelector(" + nlohmann::json(selector).dump() + ")",
                         Deadline::In(std::chrono::seconds(5)));
  if (!v.ok()) return v.error();
  return v->is_boolean() && v->get<bool>();
}

Result<ClientOutcome> FlowRunner::RunClient(cdp::Page& page, const Columns& client,
                                            const std::string& dest_path) const {
  TemplateContext ctx = Context(&client);
  ClientOutcome outcome;
  if (Status blocking = BlockFor(page, true); !blocking.ok()) return blocking.error();
  for (const Step& step : flow_.client_steps) {
    // The slip's own page fetches everything: a printed HTML slip keeps its
    // barcode image and its styles.
    if (step.kind == StepKind::kDownload || step.kind == StepKind::kPrintPdf) {
      if (Status unblocked = BlockFor(page, false); !unblocked.ok()) return unblocked.error();
    }
    if (step.kind == StepKind::kNoneIf) {
      std::string target = step.target.Render(ctx);
      Deadline deadline = Deadline::In(step.timeout);
      cdp::FrameGuard top_again(page);
      if (Status in = EnterStepFrames(page, step, ctx, deadline); !in.ok()) return InStep(flow_, step, in.error());
      auto shows = page.ShowsNow(target, step.wait == WaitKind::kText, deadline);
      if (!shows.ok()) return InStep(flow_, step, shows.error());
      if (*shows) {
        // The template's source, not its value: a client's data stays out of the reason.
        outcome.no_slip = step.Describe() + " (" + Where(flow_, step) + ")";
        return outcome;
      }
      continue;
    }
    auto r = PlayStep(page, step, ctx, dest_path);
    if (!r.ok()) return r.error();
    outcome.download = *r;
  }
  return outcome;
}

std::vector<std::string> FlowRunner::PdfPasswords(const Columns& client) const {
  if (!flow_.pdf_password) return {};
  std::string password = flow_.pdf_password->Render(Context(&client));
  std::string digits = DigitsOnly(password);
  if (!digits.empty() && digits != password) return {password, digits};
  return {password};
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
