#include "cdp/browser.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

#include "cdp/json_fields.h"

namespace boletos::cdp {

namespace {

// A launch step's failure, said as the start-up's: which browser, what went
// wrong, and its last output when it died.
Error StartFailed(BrowserProcess& process, const Error& e) {
  std::string message = "the browser (" + process.executable() + ") did not start: " + e.message;
  // A pipe closed at start-up: the browser is exiting; its status and last
  // words say why.
  bool exited = e.kind == ErrorKind::kConnectionClosed ? process.ExitedWithin(std::chrono::seconds(2))
                                                        : process.Exited();
  if (!exited) return Error{e.kind, message};
  return Error{ErrorKind::kTargetCrashed, message + "; it exited (" + process.HowItEnded() + "), its last output:\n" +
                                              process.RecentOutput()};
}

}  // namespace

Result<std::unique_ptr<Browser>> Browser::Launch(const LaunchOptions& options) {
  // The probe (BrowserIdentity) only knows that namespaces can be made; a
  // kernel or security module may still refuse Chromium's sandbox (an
  // AppArmor rule against unprivileged user namespaces, a seccomp filter).
  static std::atomic<bool> sandbox_refused{false};
  static std::mutex why_mu;
  static std::string refused_why;
  LaunchOptions effective = options;
  if (!effective.identity) {
    const Result<BrowserIdentity>& found = DefaultBrowserIdentity();
    if (!found.ok()) return found.error();
    effective.identity = *found;
  }
  if (effective.identity->sandbox && sandbox_refused.load()) {
    std::lock_guard<std::mutex> lock(why_mu);
    effective.identity->sandbox = false;
    effective.identity->no_sandbox_why = refused_why;
  }
  auto launched = LaunchOnce(effective);
  if (launched.ok() || !effective.identity->sandbox || launched.kind() != ErrorKind::kTargetCrashed) return launched;
  std::string why = launched.message();
  effective.identity->sandbox = false;
  effective.identity->no_sandbox_why = "Chromium exited at start-up with its sandbox on";
  auto unsandboxed = LaunchOnce(effective);
  if (!unsandboxed.ok()) return launched;  // not the sandbox, then: the first failure says why
  {
    std::lock_guard<std::mutex> lock(why_mu);
    refused_why = effective.identity->no_sandbox_why;
  }
  if (!sandbox_refused.exchange(true)) {
    spdlog::warn("Chromium did not start with its sandbox, and did without it: from now on the browser runs "
                 "without Chromium's sandbox ({})",
                 why);
  }
  return unsandboxed;
}

Result<std::unique_ptr<Browser>> Browser::LaunchOnce(const LaunchOptions& options) {
  auto started = std::chrono::steady_clock::now();
  // One deadline for the whole start: the DevTools line, the websocket and
  // the first calls share start_timeout, so a browser that never answers
  // fails within it.
  Deadline deadline = Deadline::In(options.start_timeout);
  // Built up step by step; on any failure it is destroyed half-built, which
  // closes what exists (the destructor checks each part).
  std::unique_ptr<Browser> browser(new Browser());
  auto process = BrowserProcess::Launch(options, *options.identity);  // set by Launch()
  if (!process.ok()) return process.error();
  browser->process_ = std::move(*process);
  BrowserProcess& proc = *browser->process_;

  browser->conn_ = CdpConnection::Create(PipeTransportOver(proc.TakeDevToolsFd()));

  auto version = browser->conn_->Call("Browser.getVersion", Json::object(), "", deadline);
  if (!version.ok()) return StartFailed(proc, version.error());
  browser->version_ = StringField(*version, "product", "an unnamed browser");

  auto downloads = browser->conn_->Call("Browser.setDownloadBehavior",
                                        {{"behavior", "allowAndName"},
                                         {"downloadPath", proc.download_dir()},
                                         {"eventsEnabled", true}},
                                        "", deadline);
  if (!downloads.ok()) return StartFailed(proc, downloads.error());
  auto discover = browser->conn_->Call("Target.setDiscoverTargets", {{"discover", true}}, "", deadline);
  if (!discover.ok()) return StartFailed(proc, discover.error());

  browser->startup_time_ =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return browser;
}

Result<std::unique_ptr<Page>> Browser::NewPage(Deadline deadline, bool own_context) {
  Json target_params = {{"url", "about:blank"}};
  std::string context_id;
  if (own_context) {
    auto context = conn_->Call("Target.createBrowserContext", {{"disposeOnDetach", true}}, "", deadline);
    if (!context.ok()) return context.error();
    context_id = StringField(*context, "browserContextId");
    if (context_id.empty()) {
      return MakeError(ErrorKind::kProtocolError, "Target.createBrowserContext gave no browserContextId");
    }
    // Each context keeps its own download settings: the same folder, events on.
    auto downloads = conn_->Call("Browser.setDownloadBehavior",
                                 {{"behavior", "allowAndName"},
                                  {"downloadPath", process_->download_dir()},
                                  {"eventsEnabled", true},
                                  {"browserContextId", context_id}},
                                 "", deadline);
    if (!downloads.ok()) return downloads.error();
    target_params["browserContextId"] = context_id;
  }
  auto created = conn_->Call("Target.createTarget", target_params, "", deadline);
  if (!created.ok()) return created.error();
  auto target = OptionalStringField(*created, "targetId");
  if (!target || target->empty()) {
    return MakeError(ErrorKind::kProtocolError, "Target.createTarget gave no targetId string (it answered " +
                                                    created->dump(-1, ' ', false, Json::error_handler_t::replace)
                                                        .substr(0, 200) +
                                                    "): is --chromium a real Chromium?");
  }
  auto attached = conn_->Call("Target.attachToTarget", {{"targetId", *target}, {"flatten", true}}, "", deadline);
  auto session = attached.ok() ? OptionalStringField(*attached, "sessionId") : std::nullopt;
  if (!session || session->empty()) {
    // The tab exists but cannot be driven: close it rather than leave it open.
    (void)conn_->Call("Target.closeTarget", {{"targetId", *target}}, "", Deadline::In(std::chrono::seconds(2)));
    if (!attached.ok()) return attached.error();
    return MakeError(ErrorKind::kProtocolError,
                     "Target.attachToTarget gave no sessionId string: is --chromium a real Chromium?");
  }
  auto page = std::make_unique<Page>(conn_, *target, *session, process_->download_dir(), context_id);
  if (Status s = page->Init(deadline); !s.ok()) return s.error();
  return page;
}

bool Browser::alive() { return !closed_ && conn_ && !conn_->closed() && process_ && !process_->Exited(); }

std::string Browser::WhyDead() {
  if (closed_) return "the browser was closed";
  if (!process_ || !conn_) return "the browser did not finish starting";
  if (process_->Exited()) return "the browser process exited; its last output:\n" + process_->RecentOutput();
  if (conn_->closed()) return "the browser connection closed: " + conn_->close_reason();
  return "";
}

void Browser::BeginClose() {
  if (closed_) return;
  closed_ = true;
  // No polite Browser.close first: nothing in a browser being thrown away is
  // worth saving (its profile is deleted next), and asking cost 40 ms more
  // per recycle than SIGKILL to the group.
  // Either may be missing in a Browser that Launch() gave up on half-way.
  if (conn_) conn_->Close();
  if (process_) process_->SendKill();  // the group: the renderer and any other helper too
}

void Browser::Close() {
  BeginClose();
  if (process_) process_->Kill();  // waits for the SIGKILLed group and reaps it (idempotent)
}

Browser::~Browser() { Close(); }

}  // namespace boletos::cdp
