#include "jobs/next_browser.h"

#include <signal.h>

namespace boletos::jobs {
namespace {

constexpr auto kNewTabTime = std::chrono::seconds(10);

}  // namespace

NextBrowser::NextBrowser(cdp::LaunchOptions launch, int tabs, std::function<Status(cdp::Page&)> login)
    : launch_(std::move(launch)), tabs_(std::max(1, tabs)), login_(std::move(login)) {}

void NextBrowser::Start() {
  if (thread_.joinable() || killed_.load()) return;
  outcome_.reset();
  thread_ = std::thread([this] { Prepare(); });
}

void NextBrowser::Prepare() {
  auto started = std::chrono::steady_clock::now();
  auto launched = cdp::Browser::Launch(launch_);
  if (!launched.ok()) {
    outcome_.emplace(launched.error());
    return;
  }
  PreparedBrowser ready;
  ready.browser = std::move(*launched);
  {
    std::lock_guard<std::mutex> lock(kill_mu_);
    pid_ = ready.browser->pid();
    // Kill() may have run during the launch, when there was no pid to signal.
    if (killed_.load()) ready.browser->BeginClose();
  }
  auto fail = [&](Error error) {
    {
      std::lock_guard<std::mutex> lock(kill_mu_);
      pid_ = -1;
    }
    ready.pages.clear();
    ready.browser->Close();
    outcome_.emplace(std::move(error));
  };
  for (int tab = 0; tab < tabs_; ++tab) {
    auto page = ready.browser->NewPage(Deadline::In(kNewTabTime));
    if (!page.ok()) return fail(page.error());
    ready.pages.push_back(std::move(*page));
  }
  if (Status logged_in = login_(*ready.pages[0]); !logged_in.ok()) {
    return fail(MakeError(logged_in.kind(), "login failed: " + logged_in.message()));
  }
  if (killed_.load()) return fail(MakeError(ErrorKind::kInterrupted, "the stop's grace period ran out"));
  ready.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  outcome_.emplace(std::move(ready));
}

Result<PreparedBrowser> NextBrowser::Take() {
  if (!thread_.joinable()) return MakeError(ErrorKind::kNotFound, "no next browser was started");
  thread_.join();
  Result<PreparedBrowser> outcome = std::move(*outcome_);
  outcome_.reset();
  // From here the worker owns it (and its pid for memory readings).
  pid_ = -1;
  return outcome;
}

void NextBrowser::Kill() {
  std::lock_guard<std::mutex> lock(kill_mu_);
  killed_ = true;
  pid_t pid = pid_.load();
  // The login or a new tab in flight fails at once.
  if (pid > 0) kill(-pid, SIGKILL);
}

void NextBrowser::Cancel() {
  if (!thread_.joinable()) return;
  Kill();
  thread_.join();
  // A ready browser closes here: killed first, so its pages skip their
  // Target.closeTarget round trips.
  if (outcome_ && outcome_->ok()) (*outcome_)->browser->BeginClose();
  outcome_.reset();
  pid_ = -1;
  killed_ = false;
}

}  // namespace boletos::jobs
