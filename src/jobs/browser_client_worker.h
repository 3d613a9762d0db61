#pragma once
// BrowserClientWorker: the real ClientWorker. It keeps one browser and
// `tabs` tabs alive across clients, logs in after every browser start (once:
// the tabs share the session cookie) and whenever a tab's login check is
// absent, runs the client steps, checks what was downloaded (a well-formed
// PDF, the right client's slip) and commits the file. A dead browser (crash,
// OOM kill, closed socket) is replaced once no other tab is still in it; the
// attempts it broke count as failed. Asked to, it starts the next browser
// ahead (NextBrowser), and the next start takes that one over.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cdp/browser.h"
#include "cdp/browser_disposer.h"
#include "core/redactor.h"
#include "flow/flow_runner.h"
#include "jobs/client_worker.h"
#include "jobs/next_browser.h"
#include "jobs/output_folder.h"
#include "jobs/slip_check.h"

namespace boletos::jobs {

struct WorkerSettings {
  cdp::LaunchOptions launch;
  std::string period;  // "2026-12"
  int tabs = 1;        // clients in parallel, one per tab
};

class BrowserClientWorker : public ClientWorker {
 public:
  BrowserClientWorker(WorkerSettings settings, const flow::FlowRunner& flow, const SlipCheck& check,
                      OutputFolder& out, store::Store& store, const Redactor& redactor);
  ~BrowserClientWorker() override;

  AttemptResult Attempt(const store::WorkItem& item, int attempt) override { return AttemptInTab(item, attempt, 0); }
  int tabs() const override { return static_cast<int>(tabs_.size()); }
  AttemptResult AttemptInTab(const store::WorkItem& item, int attempt, int tab) override;
  void Recycle(const std::string& reason) override;
  void PrepareNextBrowser() override;
  pid_t next_browser_pid() const override { return next_.pid(); }
  int downloads_since_start() const override { return downloads_.load(); }
  int browser_restarts() const override { return restarts_; }
  pid_t browser_pid() const override { return pid_.load(); }
  void Abandon() override;
  void Shutdown() override;

 private:
  struct Tab {
    std::unique_ptr<cdp::Page> page;
    bool needs_login = true;
    bool fresh = true;             // not used yet in this browser
    std::string committed_file;    // its last commit, until the Runner has recorded it
    std::string committed_client;
  };
  // Under mu_ (lock holds it): a live browser and this tab's page in it.
  Status EnsureTab(int tab, std::unique_lock<std::mutex>& lock);
  Status EnsureBrowser(std::unique_lock<std::mutex>& lock);
  // Under mu_: the browser prepared ahead becomes the current one, with its tabs.
  void TakeOver(PreparedBrowser prepared);
  Status EnsureLoggedIn(int tab);
  Result<std::string> CommitToFinalName(const store::WorkItem& item, int tab, const std::string& temp);
  void KeepFailureArtifacts(cdp::Page& page, const std::string& client_id);
  void DropBrowser();
  AttemptFailure Fail(int tab, const std::string& client_id, Error error, bool foreign = false);

  WorkerSettings settings_;
  const flow::FlowRunner& flow_;
  const SlipCheck& check_;
  OutputFolder& out_;
  store::Store& store_;
  const Redactor& redactor_;
  std::mutex mu_;  // the browser, the tabs' pages, in_flight_
  std::unique_ptr<cdp::Browser> browser_;
  cdp::BrowserDisposer disposer_;  // browsers dropped, still being reaped
  NextBrowser next_;               // the one started ahead, if any
  std::vector<Tab> tabs_;
  int in_flight_ = 0;
  int waiting_to_replace_ = 0;    // tabs in EnsureBrowser waiting for the others to leave a dead browser
  std::condition_variable left_;  // an attempt left (in_flight_ went down)
  bool replace_browser_ = false;  // a tab saw it die: replace it when the others are out
  std::atomic<bool> abandoned_{false};  // Abandon() ran: no browser starts any more
  std::mutex login_mu_;           // one login at a time; the others share its cookie
  int logins_ = 0;                // logins done in this browser
  std::mutex commit_mu_;          // choosing a final name and renaming to it
  std::mutex check_mu_;           // reading PDFs
  std::atomic<int> downloads_{0};
  std::atomic<int> restarts_{0};
  bool had_browser_ = false;
  std::atomic<pid_t> pid_{-1};
};

}  // namespace boletos::jobs
