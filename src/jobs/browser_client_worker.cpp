#include "jobs/browser_client_worker.h"

#include <signal.h>

#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>

#include "cdp/page_scripts.h"

namespace boletos::jobs {
namespace fs = std::filesystem;
namespace {

constexpr auto kArtifactTime = std::chrono::seconds(5);

}  // namespace

BrowserClientWorker::BrowserClientWorker(WorkerSettings settings, const flow::FlowRunner& flow, const SlipCheck& check,
                                         OutputFolder& out, store::Store& store, const Redactor& redactor)
    : settings_(std::move(settings)), flow_(flow), check_(check), out_(out), store_(store), redactor_(redactor) {
  tabs_.resize(std::max(1, settings_.tabs));
}

BrowserClientWorker::~BrowserClientWorker() { Shutdown(); }

void BrowserClientWorker::DropBrowser() {
  for (Tab& tab : tabs_) {
    tab.page.reset();
    tab.needs_login = true;
    tab.fresh = true;
  }
  if (browser_) browser_->Close();
  browser_.reset();
  pid_ = -1;
  downloads_ = 0;
  logins_ = 0;
  replace_browser_ = false;
}

Status BrowserClientWorker::EnsureBrowser() {
  bool dead = browser_ && (!browser_->alive() || replace_browser_);
  if (dead && in_flight_ > 1) {
    // Other tabs are still in the dying browser: they fail too, and the
    // Runner starts nothing until all are back.
    return MakeError(ErrorKind::kTargetCrashed, "the browser died while other tabs were using it");
  }
  if (browser_ && browser_->alive() && !replace_browser_) return Status::Ok();
  if (browser_) {
    spdlog::warn("the browser died ({}); starting a fresh one", redactor_.Redact(browser_->WhyDead()));
    DropBrowser();
  }
  if (had_browser_) ++restarts_;
  auto launched = cdp::Browser::Launch(settings_.launch);
  if (!launched.ok()) return launched.error();
  browser_ = std::move(*launched);
  pid_ = browser_->pid();
  had_browser_ = true;
  spdlog::info("browser started: {} (pid {}, {} ms)", browser_->version(), browser_->pid(),
               browser_->startup_time().count());
  return Status::Ok();
}

Status BrowserClientWorker::EnsureTab(int tab) {
  if (Status s = EnsureBrowser(); !s.ok()) return s;
  Tab& t = tabs_[tab];
  if (t.page) return Status::Ok();
  auto page = browser_->NewPage(Deadline::In(std::chrono::seconds(10)));
  if (!page.ok()) return page.error();
  t.page = std::move(*page);
  t.needs_login = true;
  t.fresh = true;
  return Status::Ok();
}

Status BrowserClientWorker::EnsureLoggedIn(int tab) {
  Tab& t = tabs_[tab];
  if (!t.needs_login) {
    auto logged_in = flow_.LoggedIn(*t.page);
    if (!logged_in.ok()) return logged_in.error();
    if (*logged_in) return Status::Ok();
    spdlog::info("the login check is absent: logging in again");
    t.needs_login = true;
    t.fresh = false;
  }
  std::lock_guard<std::mutex> login(login_mu_);
  if (t.fresh && logins_ > 0) {
    // A tab new in this browser shares the session another tab logged in
    // with; its blank page cannot show the login check yet.
    t.fresh = false;
    t.needs_login = false;
    return Status::Ok();
  }
  if (Status s = flow_.Login(*t.page); !s.ok()) {
    return MakeError(s.kind(), "login failed: " + s.message());
  }
  ++logins_;
  t.fresh = false;
  t.needs_login = false;
  return Status::Ok();
}

void BrowserClientWorker::KeepFailureArtifacts(cdp::Page& page, const std::string& client_id) {
  // Values typed from {{env.*}} may still sit in form fields: blank them
  // before the screenshot, and redact the HTML before it is written.
  (void)page.Evaluate(
      "(() => { for (const el of document.querySelectorAll('input[type=password]')) el.value = ''; return true; })()",
      Deadline::In(kArtifactTime));
  Status shot = page.Screenshot(out_.FailedPath(client_id, ".png"), Deadline::In(kArtifactTime));
  if (!shot.ok()) spdlog::warn("no screenshot for {}: {}", client_id, shot.message());
  auto html = page.Html(Deadline::In(kArtifactTime));
  if (html.ok()) {
    std::ofstream(out_.FailedPath(client_id, ".html"), std::ios::binary | std::ios::trunc) << redactor_.Redact(*html);
  } else {
    spdlog::warn("no page HTML for {}: {}", client_id, html.message());
  }
}

AttemptFailure BrowserClientWorker::Fail(int tab, const std::string& client_id, Error error, bool foreign) {
  error.message = redactor_.Redact(error.message);
  Tab& t = tabs_[tab];
  bool died;
  {
    std::lock_guard<std::mutex> lock(mu_);
    died = !browser_ || !browser_->alive() || replace_browser_;
  }
  if (!died && t.page) KeepFailureArtifacts(*t.page, client_id);
  if (died || error.kind == ErrorKind::kConnectionClosed || error.kind == ErrorKind::kTargetCrashed) {
    std::lock_guard<std::mutex> lock(mu_);
    if (in_flight_ <= 1) {
      DropBrowser();
    } else {
      replace_browser_ = true;  // the last tab out replaces it
    }
    died = true;
  }
  // After a failure the portal's session is suspect (it may have expired).
  t.needs_login = true;
  return AttemptFailure{std::move(error), foreign, died};
}

Result<std::string> BrowserClientWorker::CommitToFinalName(const store::WorkItem& item, int tab,
                                                           const std::string& temp) {
  const std::string& id = item.client.id;
  // Two tabs may finish clients whose names collide; the Runner records a
  // success only after the attempt returns, so the tabs' own last commits
  // count as taken too.
  std::lock_guard<std::mutex> lock(commit_mu_);
  std::string final_path = out_.FinalPathFor(flow_.OutputName(item.client.columns), id, [&](const std::string& rel) {
    for (size_t other = 0; other < tabs_.size(); ++other) {
      if (static_cast<int>(other) != tab && tabs_[other].committed_file == rel && tabs_[other].committed_client != id) {
        return true;
      }
    }
    auto owner = store_.FileOwner(settings_.period, rel);
    return owner.ok() && !owner->empty() && *owner != id;
  });
  if (Status s = out_.Commit(temp, final_path); !s.ok()) return s.error();
  tabs_[tab].committed_file = out_.Relative(final_path);
  tabs_[tab].committed_client = id;
  return final_path;
}

AttemptResult BrowserClientWorker::AttemptInTab(const store::WorkItem& item, int attempt, int tab) {
  (void)attempt;
  const std::string& id = item.client.id;
  struct InFlight {
    BrowserClientWorker& w;
    explicit InFlight(BrowserClientWorker& worker) : w(worker) {
      std::lock_guard<std::mutex> lock(w.mu_);
      ++w.in_flight_;
    }
    ~InFlight() {
      std::lock_guard<std::mutex> lock(w.mu_);
      --w.in_flight_;
    }
  } in_flight(*this);
  {
    std::lock_guard<std::mutex> lock(mu_);
    // The Runner has recorded this tab's last success by now.
    tabs_[tab].committed_file.clear();
    tabs_[tab].committed_client.clear();
    if (Status s = EnsureTab(tab); !s.ok()) {
      bool died = s.kind() == ErrorKind::kTargetCrashed || s.kind() == ErrorKind::kConnectionClosed;
      return AttemptFailure{MakeError(s.kind(), redactor_.Redact(s.message())), false, died};
    }
  }
  cdp::Page& page = *tabs_[tab].page;
  if (Status s = EnsureLoggedIn(tab); !s.ok()) return Fail(tab, id, s.error());

  std::string temp = out_.NewTempPath(id);
  auto downloaded = flow_.RunClient(page, item.client.columns, temp);
  if (!downloaded.ok()) {
    std::error_code ec;
    fs::remove(temp, ec);
    return Fail(tab, id, downloaded.error());
  }

  bool needles_are_document = false;
  auto needles = flow_.VerifyNeedles(item.client.columns, &needles_are_document);
  auto verdict = [&] {
    std::lock_guard<std::mutex> lock(check_mu_);  // poppler's global state is not for two threads
    return check_.Check(temp, needles, needles_are_document);
  }();
  if (!verdict.ok()) {
    std::error_code ec;
    fs::remove(temp, ec);
    return Fail(tab, id, verdict.error());
  }
  if (!verdict->belongs) {
    std::string kept = out_.FailedPath(id, ".rejected.pdf");
    std::error_code ec;
    fs::rename(temp, kept, ec);
    return Fail(tab, id,
                MakeError(ErrorKind::kForeignSlip, "boleto belongs to another client: its text lacks " +
                                                       verdict->missing + " (kept as " + out_.Relative(kept) + ")"),
                /*foreign=*/true);
  }

  auto sha = Sha256OfFile(temp);
  if (!sha.ok()) return Fail(tab, id, sha.error());
  std::error_code ec;
  auto bytes = static_cast<int64_t>(fs::file_size(temp, ec));
  auto final_path = CommitToFinalName(item, tab, temp);
  if (!final_path.ok()) {
    fs::remove(temp, ec);
    return Fail(tab, id, final_path.error());
  }
  // The client is no longer failing: its old artifacts would only mislead.
  for (const char* suffix : {".png", ".html", ".rejected.pdf"}) fs::remove(out_.FailedPath(id, suffix), ec);

  ++downloads_;
  AttemptSuccess success;
  success.download.file = out_.Relative(*final_path);
  success.download.bytes = bytes;
  success.download.sha256 = *sha;
  success.download.facts = verdict->facts;
  success.printed_html = downloaded->kind == cdp::DownloadResult::Kind::kPrintedHtml;
  return success;
}

void BrowserClientWorker::Recycle(const std::string& reason) {
  if (!browser_) return;
  spdlog::info("recycling the browser (pid {}): {}", browser_->pid(), reason);
  DropBrowser();
}

void BrowserClientWorker::Abandon() {
  pid_t pid = pid_.load();
  // Killing the browser fails whatever call is in flight at once.
  if (pid > 0) kill(-pid, SIGKILL);
}

void BrowserClientWorker::Shutdown() { DropBrowser(); }

}  // namespace boletos::jobs
