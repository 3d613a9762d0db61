#include "jobs/chromium_launcher.h"

#include <signal.h>

#include <spdlog/spdlog.h>

namespace boletos::jobs {
namespace {

constexpr auto kNewTabTime = std::chrono::seconds(10);

Error Interrupted() {
  return MakeError(ErrorKind::kInterrupted, "the stop's grace period ran out: no new browser starts");
}

}  // namespace

ChromiumLauncher::ChromiumLauncher(cdp::LaunchOptions launch, int tabs, SlotServices services, Login login)
    : launch_(std::move(launch)), tabs_(std::max(1, tabs)), services_(services), login_(std::move(login)) {
  services_.collect_garbage_each_client = tabs_ == 1;
  if (!login_) login_ = [flow = &services_.flow](cdp::Page& page) { return flow->Login(page); };
}

void ChromiumLauncher::StartAhead() {
  if (ahead_.joinable() || killed_.load()) return;
  spdlog::debug("starting the next browser ahead");
  outcome_.reset();
  ahead_ = std::thread([this] { PrepareAhead(); });
}

void ChromiumLauncher::PrepareAhead() {
  auto started = std::chrono::steady_clock::now();
  auto launched = cdp::Browser::Launch(launch_);
  if (!launched.ok()) {
    outcome_.emplace(launched.error());
    return;
  }
  Prepared ready;
  ready.browser = std::move(*launched);
  {
    std::lock_guard<std::mutex> lock(kill_mu_);
    ahead_pid_ = ready.browser->pid();
    // Kill() may have run during the launch, when there was no pid to signal.
    if (killed_.load()) ready.browser->BeginClose();
  }
  auto fail = [&](Error error) {
    {
      std::lock_guard<std::mutex> lock(kill_mu_);
      ahead_pid_ = -1;
    }
    ready.pages.clear();
    ready.browser->Close();
    outcome_.emplace(std::move(error));
  };
  for (int tab = 0; tab < tabs_; ++tab) {
    auto page = ready.browser->NewPage(Deadline::In(kNewTabTime), services_.flow.flow().sessions_per_tab);
    if (!page.ok()) return fail(page.error());
    ready.pages.push_back(std::move(*page));
  }
  if (Status logged_in = login_(*ready.pages[0]); !logged_in.ok()) {
    return fail(MakeError(logged_in.kind(), "login failed: " + logged_in.message()));
  }
  if (killed_.load()) return fail(Interrupted());
  ready.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  outcome_.emplace(std::move(ready));
}

StartedSlot ChromiumLauncher::Wrap(std::unique_ptr<cdp::Browser> browser,
                                   std::vector<std::unique_ptr<cdp::Page>> pages, const std::string& how, bool ahead) {
  StartedSlot started;
  started.description = browser->version() + " (pid " + std::to_string(browser->pid()) + ", " + how + ")";
  started.prepared_ahead = ahead;
  started.slot = std::make_unique<ChromiumSlot>(std::move(browser), std::move(pages), tabs_, services_, disposer_);
  return started;
}

Result<StartedSlot> ChromiumLauncher::Take() {
  if (ahead_.joinable()) {
    ahead_.join();
    Result<Prepared> outcome = std::move(*outcome_);
    outcome_.reset();
    ahead_pid_ = -1;  // from here the slot has it (and the pool reads it)
    if (outcome.ok()) {
      std::string how = "prepared ahead in " + std::to_string(outcome->took.count()) + " ms: tabs open, logged in";
      return Wrap(std::move(outcome->browser), std::move(outcome->pages), how, true);
    }
    if (killed_.load()) return Interrupted();
    spdlog::warn("the browser started ahead failed ({}); starting one now",
                 services_.redactor.Redact(outcome.message()));
  }
  return StartNow();
}

Result<StartedSlot> ChromiumLauncher::StartNow() {
  if (killed_.load()) return Interrupted();
  auto launched = cdp::Browser::Launch(launch_);
  if (!launched.ok()) return launched.error();
  // Kill() during the launch had no pid to signal: this one closes now.
  if (killed_.load()) {
    disposer_.Dispose(std::move(*launched));
    return Interrupted();
  }
  std::string how = std::to_string((*launched)->startup_time().count()) + " ms";
  return Wrap(std::move(*launched), {}, how, false);
}

void ChromiumLauncher::Kill() {
  std::lock_guard<std::mutex> lock(kill_mu_);
  killed_ = true;
  // The login or a new tab in flight fails at once.
  if (pid_t pid = ahead_pid_.load(); pid > 0) kill(-pid, SIGKILL);
}

void ChromiumLauncher::Shutdown() {
  if (ahead_.joinable()) {
    Kill();
    ahead_.join();
    // A ready browser closes here: killed first, so its pages skip their
    // Target.closeTarget round trips.
    if (outcome_ && outcome_->ok()) (*outcome_)->browser->BeginClose();
    outcome_.reset();
    ahead_pid_ = -1;
  }
  disposer_.Flush();
  killed_ = false;
}

}  // namespace boletos::jobs
