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
    : settings_(std::move(settings)), flow_(flow), check_(check), out_(out), store_(store), redactor_(redactor) {}

BrowserClientWorker::~BrowserClientWorker() { Shutdown(); }

void BrowserClientWorker::DropBrowser() {
  page_.reset();
  if (browser_) browser_->Close();
  browser_.reset();
  pid_ = -1;
  downloads_ = 0;
  needs_login_ = true;
}

Status BrowserClientWorker::EnsureBrowser() {
  if (browser_ && browser_->alive()) return Status::Ok();
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
  auto page = browser_->NewPage(Deadline::In(std::chrono::seconds(10)));
  if (!page.ok()) {
    DropBrowser();
    return page.error();
  }
  page_ = std::move(*page);
  needs_login_ = true;
  spdlog::info("browser started: {} (pid {}, {} ms)", browser_->version(), browser_->pid(),
               browser_->startup_time().count());
  return Status::Ok();
}

Status BrowserClientWorker::EnsureLoggedIn() {
  if (!needs_login_) {
    auto logged_in = flow_.LoggedIn(*page_);
    if (!logged_in.ok()) return logged_in.error();
    if (*logged_in) return Status::Ok();
    spdlog::info("the login check is absent: logging in again");
  }
  if (Status s = flow_.Login(*page_); !s.ok()) {
    return MakeError(s.kind(), "login failed: " + s.message());
  }
  needs_login_ = false;
  return Status::Ok();
}

void BrowserClientWorker::KeepFailureArtifacts(const std::string& client_id) {
  if (!page_ || !browser_ || !browser_->alive()) return;
  // Values typed from {{env.*}} may still sit in form fields: blank them
  // before the screenshot, and redact the HTML before it is written.
  (void)page_->Evaluate(
      "(() => { for (const el of document.querySelectorAll('input[type=password]')) el.value = ''; return true; })()",
      Deadline::In(kArtifactTime));
  Status shot = page_->Screenshot(out_.FailedPath(client_id, ".png"), Deadline::In(kArtifactTime));
  if (!shot.ok()) spdlog::warn("no screenshot for {}: {}", client_id, shot.message());
  auto html = page_->Html(Deadline::In(kArtifactTime));
  if (html.ok()) {
    std::ofstream(out_.FailedPath(client_id, ".html"), std::ios::binary | std::ios::trunc) << redactor_.Redact(*html);
  } else {
    spdlog::warn("no page HTML for {}: {}", client_id, html.message());
  }
}

AttemptFailure BrowserClientWorker::Fail(const std::string& client_id, Error error, bool foreign) {
  error.message = redactor_.Redact(error.message);
  bool died = browser_ && !browser_->alive();
  if (!died) KeepFailureArtifacts(client_id);
  if (died || error.kind == ErrorKind::kConnectionClosed || error.kind == ErrorKind::kTargetCrashed) {
    DropBrowser();
    died = true;
  }
  // After a failure the portal's session is suspect (it may have expired).
  needs_login_ = true;
  return AttemptFailure{std::move(error), foreign, died};
}

AttemptResult BrowserClientWorker::Attempt(const store::WorkItem& item, int attempt) {
  (void)attempt;
  const std::string& id = item.client.id;
  if (Status s = EnsureBrowser(); !s.ok()) return Fail(id, s.error());
  if (Status s = EnsureLoggedIn(); !s.ok()) return Fail(id, s.error());

  std::string temp = out_.NewTempPath(id);
  auto downloaded = flow_.RunClient(*page_, item.client.columns, temp);
  if (!downloaded.ok()) {
    std::error_code ec;
    fs::remove(temp, ec);
    return Fail(id, downloaded.error());
  }

  bool needles_are_document = false;
  auto needles = flow_.VerifyNeedles(item.client.columns, &needles_are_document);
  auto verdict = check_.Check(temp, needles, needles_are_document);
  if (!verdict.ok()) {
    std::error_code ec;
    fs::remove(temp, ec);
    return Fail(id, verdict.error());
  }
  if (!verdict->belongs) {
    std::string kept = out_.FailedPath(id, ".rejected.pdf");
    std::error_code ec;
    fs::rename(temp, kept, ec);
    return Fail(id, MakeError(ErrorKind::kForeignSlip, "boleto belongs to another client: its text lacks " +
                                                           verdict->missing + " (kept as " + out_.Relative(kept) + ")"),
                /*foreign=*/true);
  }

  std::string final_path = out_.FinalPathFor(flow_.OutputName(item.client.columns), id, [&](const std::string& rel) {
    auto owner = store_.FileOwner(settings_.period, rel);
    return owner.ok() && !owner->empty() && *owner != id;
  });
  auto sha = Sha256OfFile(temp);
  if (!sha.ok()) return Fail(id, sha.error());
  std::error_code ec;
  auto bytes = static_cast<int64_t>(fs::file_size(temp, ec));
  if (Status s = out_.Commit(temp, final_path); !s.ok()) {
    fs::remove(temp, ec);
    return Fail(id, s.error());
  }
  // The client is no longer failing: its old artifacts would only mislead.
  for (const char* suffix : {".png", ".html", ".rejected.pdf"}) fs::remove(out_.FailedPath(id, suffix), ec);

  ++downloads_;
  AttemptSuccess success;
  success.download.file = out_.Relative(final_path);
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
