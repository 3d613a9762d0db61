#include "jobs/chromium_slot.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <future>

#include <spdlog/spdlog.h>

namespace boletos::jobs {
namespace fs = std::filesystem;
namespace {

constexpr auto kArtifactTime = std::chrono::seconds(5);
constexpr auto kCollectTime = std::chrono::seconds(2);
constexpr auto kNewTabTime = std::chrono::seconds(10);

}  // namespace

ChromiumSlot::ChromiumSlot(std::unique_ptr<cdp::Browser> browser, std::vector<std::unique_ptr<cdp::Page>> pages,
                           int tabs, const SlotServices& services, cdp::BrowserDisposer& disposer)
    : browser_(std::move(browser)),
      pid_(browser_->pid()),
      tabs_(std::max(1, tabs)),
      services_(services),
      disposer_(disposer) {
  for (size_t tab = 0; tab < tabs_.size() && tab < pages.size(); ++tab) tabs_[tab].page = std::move(pages[tab]);
  if (!pages.empty()) {
    // Logged in ahead: its login check is on the page.
    tabs_[0].needs_login = false;
    tabs_[0].fresh = false;
    logins_ = 1;
  }
}

ChromiumSlot::~ChromiumSlot() {
  // The browser first: killing it takes every tab with it, and pages
  // destroyed after it skip their own Target.closeTarget round trip.
  browser_->BeginClose();
  tabs_.clear();
  disposer_.Dispose(std::move(browser_));
}

void ChromiumSlot::Kill() { kill(-pid_, SIGKILL); }

Status ChromiumSlot::EnsureLoggedIn(TabPage& t) {
  if (!t.needs_login) {
    auto logged_in = services_.flow.LoggedIn(*t.page);
    if (!logged_in.ok()) return logged_in.error();
    if (*logged_in) return Status::Ok();
    spdlog::info("the login check is absent: logging in again");
    t.needs_login = true;
    t.fresh = false;
  }
  std::lock_guard<std::mutex> login(login_mu_);
  if (t.fresh && logins_ > 0 && !services_.flow.flow().sessions_per_tab) {
    // A tab new in this browser shares the session another tab logged in
    // with; its blank page cannot show the login check yet. (With
    // sessions: per_tab each tab's context logs in itself.)
    t.fresh = false;
    t.needs_login = false;
    return Status::Ok();
  }
  if (Status s = services_.flow.Login(*t.page); !s.ok()) return MakeError(s.kind(), "login failed: " + s.message());
  ++logins_;
  t.fresh = false;
  t.needs_login = false;
  return Status::Ok();
}

void ChromiumSlot::KeepFailureArtifacts(cdp::Page& page, const std::string& client_id) {
  // Values typed from {{env.*}} may still sit in form fields or be echoed
  // by the page: mask them before the screenshot, and redact the HTML
  // before it is written. A page that could not be masked is not shot.
  const Redactor& redactor = services_.redactor;
  OutputFolder& out = services_.out;
  Status masked = page.MaskSecrets(redactor.secrets(), Deadline::In(kArtifactTime));
  if (!masked.ok()) {
    spdlog::warn("no screenshot for {}: its secrets could not be masked first ({})", client_id, masked.message());
  } else if (Status shot = page.Screenshot(out.FailedPath(client_id, ".png"), Deadline::In(kArtifactTime));
             !shot.ok()) {
    spdlog::warn("no screenshot for {}: {}", client_id, shot.message());
  }
  auto html = page.HtmlWithFrames(Deadline::In(kArtifactTime));
  if (html.ok()) {
    std::ofstream(out.FailedPath(client_id, ".html"), std::ios::binary | std::ios::trunc) << redactor.Redact(*html);
  } else {
    spdlog::warn("no page HTML for {}: {}", client_id, html.message());
  }
}

AttemptFailure ChromiumSlot::Fail(TabPage& t, const std::string& client_id, Error error, bool foreign) {
  error.message = services_.redactor.Redact(error.message);
  bool died = died_.load() || !browser_->alive() || BrowserGone(error.kind);
  if (!died && t.page) KeepFailureArtifacts(*t.page, client_id);
  if (died) died_ = true;
  // After a failure the portal's session is suspect (it may have expired).
  t.needs_login = true;
  return AttemptFailure{std::move(error), foreign, died};
}

AttemptResult ChromiumSlot::Attempt(int tab, const store::WorkItem& item, int attempt) {
  (void)attempt;
  const std::string& id = item.client.id;
  TabPage& t = tabs_[tab];
  services_.commit.BeginAttempt(tab);
  if (died_.load() || !browser_->alive()) {
    died_ = true;
    return AttemptFailure{MakeError(ErrorKind::kTargetCrashed, "the browser died before this client began: " +
                                                                   services_.redactor.Redact(browser_->WhyDead())),
                          false, /*browser_died=*/true, /*never_started=*/true};
  }
  if (!t.page) {
    auto page = browser_->NewPage(Deadline::In(kNewTabTime), services_.flow.flow().sessions_per_tab);
    if (!page.ok()) {
      bool gone = BrowserGone(page.kind()) || !browser_->alive();
      if (gone) died_ = true;
      return AttemptFailure{MakeError(page.kind(), services_.redactor.Redact(page.message())), false, gone};
    }
    t.page = std::move(*page);
  }
  cdp::Page& page = *t.page;
  if (Status s = EnsureLoggedIn(t); !s.ok()) return Fail(t, id, s.error());

  std::string temp = services_.out.NewTempPath(id);
  auto played = services_.flow.RunClient(page, item.client.columns, temp);
  if (!played.ok() || !played->no_slip.empty()) {
    std::error_code ec;
    fs::remove(temp, ec);
  }
  if (!played.ok()) return Fail(t, id, played.error());
  if (!played->no_slip.empty()) return AttemptSuccess{{}, false, played->no_slip};
  const cdp::DownloadResult* downloaded = &played->download;
  // With one tab a garbage collection runs while the slip is checked
  // (about 25 ms per client in bench/run); without it the renderer's heap
  // grew about 1 MB per client, 9 MB by the tenth.
  std::future<Status> collected;
  if (services_.collect_garbage_each_client) {
    collected = std::async(std::launch::async, [&page] { return page.CollectGarbage(Deadline::In(kCollectTime)); });
  }
  DownloadedFile file{temp, downloaded->kind == cdp::DownloadResult::Kind::kPrintedHtml, downloaded->source_url};
  AttemptResult committed = services_.commit.Commit(tab, item, file);
  if (collected.valid()) {
    // Only a hint: a browser that cannot collect now fails the next
    // client's first step, where the error says what happened.
    Status gc = collected.get();
    if (!gc.ok()) spdlog::debug("no garbage collection after {}: {}", id, gc.message());
  }
  if (!committed.ok()) return Fail(t, id, committed.failure().error, committed.failure().foreign_slip);
  return committed;
}

}  // namespace boletos::jobs
