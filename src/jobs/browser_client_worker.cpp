#include "jobs/browser_client_worker.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <optional>

#include <spdlog/spdlog.h>

#include "cdp/page_scripts.h"

namespace boletos::jobs {
namespace fs = std::filesystem;
namespace {

constexpr auto kArtifactTime = std::chrono::seconds(5);
constexpr auto kCollectTime = std::chrono::seconds(2);
// How long a tab waits for the other tabs to leave a dead browser before it
// gives up its attempt; they fail fast once the connection is gone.
constexpr auto kReplaceWait = std::chrono::seconds(60);

}  // namespace

BrowserClientWorker::BrowserClientWorker(WorkerSettings settings, const flow::FlowRunner& flow, const SlipCheck& check,
                                         OutputFolder& out, store::Store& store, const Redactor& redactor)
    : settings_(std::move(settings)),
      flow_(flow),
      check_(check),
      out_(out),
      store_(store),
      redactor_(redactor),
      next_(settings_.launch, settings_.tabs, [this](cdp::Page& page) { return flow_.Login(page); }) {
  tabs_.resize(std::max(1, settings_.tabs));
}

BrowserClientWorker::~BrowserClientWorker() { Shutdown(); }

void BrowserClientWorker::DropBrowser() {
  // Before Close() reaps the group: Abandon() must not signal a reaped pgid.
  pid_ = -1;
  // The browser first: killing it takes every tab with it, and pages
  // destroyed after it skip their own Target.closeTarget round trip.
  if (browser_) browser_->BeginClose();
  for (Tab& tab : tabs_) *tab.current = TabPage{};
  disposer_.Dispose(std::move(browser_));  // reaped and deleted while the next one starts
  downloads_ = 0;
  logins_ = 0;
  replace_browser_ = false;
}

void BrowserClientWorker::DropRetiredBrowser() {
  retired_pid_ = -1;
  if (retired_) retired_->BeginClose();
  for (Tab& tab : tabs_) tab.retired.reset();
  disposer_.Dispose(std::move(retired_));
}

Status BrowserClientWorker::EnsureBrowser(std::unique_lock<std::mutex>& lock) {
  auto dead = [this] { return browser_ && (!browser_->alive() || replace_browser_); };
  if (dead() && in_flight_ > 1) {
    // Other tabs may still be using pages of the dead browser: wait until
    // each has left or waits here too, then the first one replaces it. Failing
    // at once instead would charge this client an attempt it never made, and
    // when the Runner restarts K tabs together none would ever get through.
    ++waiting_to_replace_;
    bool clear = left_.wait_for(lock, kReplaceWait, [&] {
      return !dead() || in_flight_ <= waiting_to_replace_ || abandoned_.load();
    });
    --waiting_to_replace_;
    if (!clear) return MakeError(ErrorKind::kTargetCrashed, "the browser died while other tabs were using it");
  }
  taken_over_.wait(lock, [this] { return !taking_over_; });  // another tab takes the next one over
  if (browser_ && !dead()) return Status::Ok();
  if (abandoned_.load()) {
    return MakeError(ErrorKind::kInterrupted, "the stop's grace period ran out: no new browser starts");
  }
  if (browser_) {
    spdlog::warn("the browser died ({}); starting a fresh one", redactor_.Redact(browser_->WhyDead()));
    DropBrowser();
  }
  if (had_browser_) ++restarts_;
  // The take-over or the launch runs without mu_: the attempts finishing in
  // a retired browser need it to return, and the Runner to close that
  // browser, and must not wait for this one. The other tabs wait above.
  taking_over_ = true;
  lock.unlock();
  std::string started_how;
  std::unique_ptr<cdp::Browser> started;
  std::optional<PreparedBrowser> prepared;
  Status launch_failed = Status::Ok();
  if (next_.started()) {
    auto taken = next_.Take();
    if (taken.ok()) {
      started_how = ", prepared ahead in " + std::to_string(taken->took.count()) + " ms: tabs open, logged in";
      prepared = std::move(*taken);
    } else {
      spdlog::warn("the browser started ahead failed ({}); starting one now", redactor_.Redact(taken.message()));
    }
  }
  // Abandon() during Take() is why that one failed: start no other.
  if (!prepared && !abandoned_.load()) {
    auto launched = cdp::Browser::Launch(settings_.launch);
    if (launched.ok()) {
      started = std::move(*launched);
      started_how = ", " + std::to_string(started->startup_time().count()) + " ms";
    } else {
      launch_failed = launched.error();
    }
  }
  lock.lock();
  taking_over_ = false;
  taken_over_.notify_all();
  if (!launch_failed.ok()) return launch_failed;
  if (prepared) {
    TakeOver(std::move(*prepared));
  } else if (started) {
    browser_ = std::move(started);
  } else {
    return MakeError(ErrorKind::kInterrupted, "the stop's grace period ran out: no new browser starts");
  }
  pid_ = browser_->pid();
  had_browser_ = true;
  if (abandoned_.load()) {
    // Abandon() ran while it started and may have seen no pid to kill.
    DropBrowser();
    return MakeError(ErrorKind::kInterrupted, "the stop's grace period ran out: no new browser starts");
  }
  spdlog::info("browser started: {} (pid {}{})", browser_->version(), browser_->pid(), started_how);
  return Status::Ok();
}

void BrowserClientWorker::TakeOver(PreparedBrowser prepared) {
  // Only called with no browser, after DropBrowser(): no tab has a page.
  browser_ = std::move(prepared.browser);
  for (size_t tab = 0; tab < tabs_.size() && tab < prepared.pages.size(); ++tab) {
    // The other tabs share the login below (EnsureLoggedIn).
    *tabs_[tab].current = TabPage{std::move(prepared.pages[tab]), true, true};
  }
  tabs_[0].current->needs_login = false;  // logged in ahead: its login check is on the page
  tabs_[0].current->fresh = false;
  logins_ = 1;
  ++taken_over_count_;
}

Result<BrowserClientWorker::TabPage*> BrowserClientWorker::EnsureTab(int tab, int generation,
                                                                     std::unique_lock<std::mutex>& lock) {
  cdp::Browser* browser = nullptr;
  TabPage* t = nullptr;
  if (generation == generation_) {
    if (Status s = EnsureBrowser(lock); !s.ok()) return s.error();
  }
  // Checked again: EnsureBrowser may wait for other tabs without mu_.
  if (generation == generation_) {
    browser = browser_.get();
    t = tabs_[tab].current.get();
  } else {
    // Handed out before the move: it finishes in the retired browser,
    // which closes only after the Runner has recorded this attempt. Dead,
    // it is not replaced: the next generation runs elsewhere.
    if (generation != generation_ - 1 || !retired_) {
      return MakeError(ErrorKind::kInterrupted, "an attempt for browser " + std::to_string(generation) +
                                                    ", which is closed (the worker is at browser " +
                                                    std::to_string(generation_) + ")");
    }
    if (!retired_->alive()) {
      return MakeError(ErrorKind::kTargetCrashed, "the browser this client was started in died: " +
                                                      retired_->WhyDead());
    }
    browser = retired_.get();
    t = tabs_[tab].retired.get();
  }
  if (t->page) return t;
  // Tabs open their pages at once, not one after another under mu_: the
  // browser cannot go meanwhile, since it is dropped only when no other
  // attempt is in flight (or all of them wait in EnsureBrowser) and this
  // one is in flight and not waiting; a retired one only after this
  // attempt is recorded.
  lock.unlock();
  auto page = browser->NewPage(Deadline::In(std::chrono::seconds(10)));
  lock.lock();
  if (!page.ok()) return page.error();
  *t = TabPage{std::move(*page), true, true};
  return t;
}

Status BrowserClientWorker::EnsureLoggedIn(TabPage& t, int generation) {
  if (!t.needs_login) {
    auto logged_in = flow_.LoggedIn(*t.page);
    if (!logged_in.ok()) return logged_in.error();
    if (*logged_in) return Status::Ok();
    spdlog::info("the login check is absent: logging in again");
    t.needs_login = true;
    t.fresh = false;
  }
  std::lock_guard<std::mutex> login(login_mu_);
  // The logins of the browser this page is in (generation_ changes only
  // under login_mu_ too).
  int& logins = generation == generation_ ? logins_ : retired_logins_;
  if (t.fresh && logins > 0) {
    // A tab new in this browser shares the session another tab logged in
    // with; its blank page cannot show the login check yet.
    t.fresh = false;
    t.needs_login = false;
    return Status::Ok();
  }
  if (Status s = flow_.Login(*t.page); !s.ok()) {
    return MakeError(s.kind(), "login failed: " + s.message());
  }
  ++logins;
  t.fresh = false;
  t.needs_login = false;
  return Status::Ok();
}

void BrowserClientWorker::KeepFailureArtifacts(cdp::Page& page, const std::string& client_id) {
  // Values typed from {{env.*}} may still sit in form fields or be echoed
  // by the page: mask them before the screenshot, and redact the HTML
  // before it is written. A page that could not be masked is not shot.
  Status masked = page.MaskSecrets(redactor_.secrets(), Deadline::In(kArtifactTime));
  if (!masked.ok()) {
    spdlog::warn("no screenshot for {}: its secrets could not be masked first ({})", client_id, masked.message());
  }
  if (masked.ok()) {
    Status shot = page.Screenshot(out_.FailedPath(client_id, ".png"), Deadline::In(kArtifactTime));
    if (!shot.ok()) spdlog::warn("no screenshot for {}: {}", client_id, shot.message());
  }
  auto html = page.Html(Deadline::In(kArtifactTime));
  if (html.ok()) {
    std::ofstream(out_.FailedPath(client_id, ".html"), std::ios::binary | std::ios::trunc) << redactor_.Redact(*html);
  } else {
    spdlog::warn("no page HTML for {}: {}", client_id, html.message());
  }
}

AttemptFailure BrowserClientWorker::Fail(TabPage& t, int generation, const std::string& client_id, Error error,
                                         bool foreign) {
  error.message = redactor_.Redact(error.message);
  bool died;
  {
    std::lock_guard<std::mutex> lock(mu_);
    died = generation != generation_ ? !retired_ || !retired_->alive()
                                     : !browser_ || !browser_->alive() || replace_browser_;
  }
  if (!died && t.page) KeepFailureArtifacts(*t.page, client_id);
  if (died || error.kind == ErrorKind::kConnectionClosed || error.kind == ErrorKind::kTargetCrashed) {
    std::lock_guard<std::mutex> lock(mu_);
    // A retired browser is not replaced: it closes once the Runner has
    // recorded its last attempt. (A move may have retired this one meanwhile.)
    if (generation == generation_) {
      if (in_flight_ <= 1) {
        DropBrowser();
      } else {
        replace_browser_ = true;  // the last tab out replaces it
      }
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

AttemptResult BrowserClientWorker::Attempt(const store::WorkItem& item, int attempt) {
  int generation;
  {
    std::lock_guard<std::mutex> lock(mu_);
    generation = generation_;
  }
  return AttemptInTab(item, attempt, 0, generation);
}

AttemptResult BrowserClientWorker::AttemptInTab(const store::WorkItem& item, int attempt, int tab, int generation) {
  (void)attempt;
  const std::string& id = item.client.id;
  // in_flight_ counts the attempts in browser_: not one of a retired
  // generation, and one that a move retires while it runs leaves it then
  // (the move sets it to zero).
  struct InFlight {
    BrowserClientWorker& w;
    int generation;
    InFlight(BrowserClientWorker& worker, int gen) : w(worker), generation(gen) {
      std::lock_guard<std::mutex> lock(w.mu_);
      if (generation == w.generation_) ++w.in_flight_;
    }
    ~InFlight() {
      {
        std::lock_guard<std::mutex> lock(w.mu_);
        if (generation == w.generation_) --w.in_flight_;
      }
      w.left_.notify_all();  // a tab may wait for this one to leave a dead browser
    }
  } in_flight(*this, generation);
  {
    // The Runner has recorded this tab's last success by now. Other tabs
    // read these under commit_mu_ while they choose a final name.
    std::lock_guard<std::mutex> lock(commit_mu_);
    tabs_[tab].committed_file.clear();
    tabs_[tab].committed_client.clear();
  }
  TabPage* t = nullptr;
  {
    std::unique_lock<std::mutex> lock(mu_);
    auto ensured = EnsureTab(tab, generation, lock);
    if (!ensured.ok()) {
      bool died = ensured.kind() == ErrorKind::kTargetCrashed || ensured.kind() == ErrorKind::kConnectionClosed;
      return AttemptFailure{MakeError(ensured.kind(), redactor_.Redact(ensured.message())), false, died};
    }
    t = *ensured;
  }
  cdp::Page& page = *t->page;
  if (Status s = EnsureLoggedIn(*t, generation); !s.ok()) return Fail(*t, generation, id, s.error());

  std::string temp = out_.NewTempPath(id);
  auto downloaded = flow_.RunClient(page, item.client.columns, temp);
  if (!downloaded.ok()) {
    std::error_code ec;
    fs::remove(temp, ec);
    return Fail(*t, generation, id, downloaded.error());
  }

  // With one tab the renderer idles while the slip is checked below, so a
  // garbage collection runs then (about 25 ms per client in bench/run);
  // without it the renderer's heap grew about 1 MB per client, 9 MB by the
  // tenth. With several tabs its one main thread is busy with the others.
  std::future<Status> collected;
  if (tabs_.size() == 1) {
    collected = std::async(std::launch::async, [&page] { return page.CollectGarbage(Deadline::In(kCollectTime)); });
  }
  bool needles_are_document = false;
  auto needles = flow_.VerifyNeedles(item.client.columns, &needles_are_document);
  auto verdict = [&] {
    std::lock_guard<std::mutex> lock(check_mu_);  // poppler's global state is not for two threads
    return check_.Check(temp, needles, needles_are_document);
  }();
  if (collected.valid()) {
    // Before any failure path: Fail() may drop the browser and this page.
    // Only a hint: a browser that cannot collect now fails the next
    // client's first step, where the error says what happened.
    Status gc = collected.get();
    if (!gc.ok()) spdlog::debug("no garbage collection after {}: {}", id, gc.message());
  }
  if (!verdict.ok()) {
    std::error_code ec;
    fs::remove(temp, ec);
    return Fail(*t, generation, id, verdict.error());
  }
  if (!verdict->belongs && downloaded->kind == cdp::DownloadResult::Kind::kPrintedHtml &&
      verdict->facts.linha_digitavel.empty()) {
    // With `html: print` an error page or the login form (an expired
    // session) is printed too: with no linha digitável it is no one's slip.
    std::error_code ec;
    fs::remove(temp, ec);
    return Fail(*t, generation, id, MakeError(ErrorKind::kPortalError,
                                   "the portal showed a page that is not a boleto (" + downloaded->source_url +
                                       "): it has no linha digitável and lacks " + verdict->missing));
  }
  if (!verdict->belongs) {
    std::string kept = out_.FailedPath(id, ".rejected.pdf");
    std::error_code ec;
    fs::rename(temp, kept, ec);
    return Fail(*t, generation, id,
                MakeError(ErrorKind::kForeignSlip, "boleto belongs to another client: its text lacks " +
                                                       verdict->missing + " (kept as " + out_.Relative(kept) + ")"),
                /*foreign=*/true);
  }

  auto sha = Sha256OfFile(temp);
  if (!sha.ok()) return Fail(*t, generation, id, sha.error());
  std::error_code ec;
  auto bytes = static_cast<int64_t>(fs::file_size(temp, ec));
  auto final_path = CommitToFinalName(item, tab, temp);
  if (!final_path.ok()) {
    fs::remove(temp, ec);
    return Fail(*t, generation, id, final_path.error());
  }
  // The client is no longer failing: its old artifacts would only mislead.
  for (const char* suffix : {".png", ".html", ".rejected.pdf"}) fs::remove(out_.FailedPath(id, suffix), ec);

  {
    // downloads_ counts browser_'s; a retired browser's are done with.
    std::lock_guard<std::mutex> lock(mu_);
    if (generation == generation_) ++downloads_;
  }
  AttemptSuccess success;
  success.download.file = out_.Relative(*final_path);
  success.download.bytes = bytes;
  success.download.sha256 = *sha;
  success.download.facts = verdict->facts;
  success.printed_html = downloaded->kind == cdp::DownloadResult::Kind::kPrintedHtml;
  return success;
}

void BrowserClientWorker::Recycle(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);  // no tab is in flight, but pid_/browser_ readers may be
  DropRetiredBrowser();  // closed already: the Runner has recorded all its attempts
  if (!browser_) return;
  spdlog::info("recycling the browser (pid {}): {}", browser_->pid(), reason);
  DropBrowser();
}

bool BrowserClientWorker::MoveToNextBrowser(const std::string& reason) {
  // Like PrepareNextBrowser: a tab may hold mu_ while a browser starts, and
  // login_mu_ through a whole login. The Runner asks again after its next client.
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return false;
  std::unique_lock<std::mutex> login(login_mu_, std::try_to_lock);
  if (!login.owns_lock()) return false;
  // A dying browser is replaced the usual way, once its tabs are out.
  if (!browser_ || !browser_->alive() || replace_browser_ || retired_ || taking_over_ || !next_.started() ||
      abandoned_.load()) {
    return false;
  }
  spdlog::info("moving on to the next browser: {}; pid {} closes once the clients still in it are done ({})", reason,
               browser_->pid(), in_flight_);
  retired_ = std::move(browser_);
  retired_pid_ = pid_.load();
  pid_ = -1;
  for (Tab& tab : tabs_) {
    tab.retired = std::move(tab.current);
    tab.current = std::make_unique<TabPage>();
  }
  retired_logins_ = logins_;
  logins_ = 0;
  downloads_ = 0;
  in_flight_ = 0;  // those attempts are the retired browser's now
  ++generation_;
  return true;
}

void BrowserClientWorker::CloseRetiredBrowser() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!retired_) return;
  spdlog::debug("the retired browser (pid {}) closes: its last client is recorded", retired_->pid());
  DropRetiredBrowser();
}

void BrowserClientWorker::PrepareNextBrowser() {
  // next_ is used under mu_. A tab holding it may be starting a browser
  // (even taking this one over): the Runner asks again after its next client.
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock() || taking_over_ || abandoned_.load() || next_.started()) return;
  spdlog::debug("starting the next browser ahead");
  next_.Start();
}

void BrowserClientWorker::Abandon() {
  // Not under mu_: a tab may hold it while a browser starts. The flag stops
  // browsers started from now on; EnsureBrowser checks it after a launch.
  abandoned_ = true;
  next_.Kill();
  left_.notify_all();
  // Killing the browsers fails whatever call is in flight at once.
  for (pid_t pid : {pid_.load(), retired_pid_.load()}) {
    if (pid > 0) kill(-pid, SIGKILL);
  }
}

void BrowserClientWorker::Shutdown() {
  std::lock_guard<std::mutex> lock(mu_);
  next_.Cancel();
  DropRetiredBrowser();
  DropBrowser();
  std::lock_guard<std::mutex> login(login_mu_);
  generation_ = 0;  // the next Runner counts from 0 again
  disposer_.Flush();  // nothing of a browser outlives the worker
}

}  // namespace boletos::jobs
