#pragma once
// BrowserClientWorker: the real ClientWorker. It keeps one browser and
// `tabs` tabs alive across clients, logs in after every browser start (once:
// the tabs share the session cookie) and whenever a tab's login check is
// absent, runs the client steps, checks what was downloaded (a well-formed
// PDF, the right client's slip) and commits the file. A dead browser (crash,
// OOM kill, closed socket) is replaced once no other tab is still in it; the
// attempts it broke count as failed. Asked to, it starts the next browser
// ahead (NextBrowser), and the next start takes that one over - at a
// recycle, or at once when the Runner moves on to it while the last clients
// of the current browser finish there (MoveToNextBrowser: the retired one).

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

  // In tab 0, in the current browser.
  AttemptResult Attempt(const store::WorkItem& item, int attempt) override;
  int tabs() const override { return static_cast<int>(tabs_.size()); }
  AttemptResult AttemptInTab(const store::WorkItem& item, int attempt, int tab, int generation) override;
  void Recycle(const std::string& reason) override;
  bool MoveToNextBrowser(const std::string& reason) override;
  void CloseRetiredBrowser() override;
  pid_t retired_browser_pid() const override { return retired_pid_.load(); }
  void PrepareNextBrowser() override;
  pid_t next_browser_pid() const override { return next_.pid(); }
  int downloads_since_start() const override { return downloads_.load(); }
  int browser_restarts() const override { return restarts_; }
  // Of those, the browsers that were started ahead and took over ready.
  int browsers_taken_over() const { return taken_over_count_.load(); }
  pid_t browser_pid() const override { return pid_.load(); }
  void Abandon() override;
  void Shutdown() override;

 private:
  // A tab's page in one browser. On the heap: an attempt keeps using its
  // TabPage when a move hands the tab's slot to the next browser.
  struct TabPage {
    std::unique_ptr<cdp::Page> page;
    bool needs_login = true;
    bool fresh = true;  // not used yet in this browser
  };
  struct Tab {
    std::unique_ptr<TabPage> current = std::make_unique<TabPage>();  // in browser_
    std::unique_ptr<TabPage> retired;  // in retired_, while it lives
    std::string committed_file;        // its last commit, until the Runner has recorded it
    std::string committed_client;
  };
  // Under mu_ (lock holds it): a live browser and this tab's page in it -
  // the retired browser's for an attempt of the retired generation.
  Result<TabPage*> EnsureTab(int tab, int generation, std::unique_lock<std::mutex>& lock);
  Status EnsureBrowser(std::unique_lock<std::mutex>& lock);
  // Under mu_: the browser prepared ahead becomes the current one, with its tabs.
  void TakeOver(PreparedBrowser prepared);
  Status EnsureLoggedIn(TabPage& tab, int generation);
  Result<std::string> CommitToFinalName(const store::WorkItem& item, int tab, const std::string& temp);
  void KeepFailureArtifacts(cdp::Page& page, const std::string& client_id);
  void DropBrowser();
  void DropRetiredBrowser();
  AttemptFailure Fail(TabPage& tab, int generation, const std::string& client_id, Error error, bool foreign = false);

  WorkerSettings settings_;
  const flow::FlowRunner& flow_;
  const SlipCheck& check_;
  OutputFolder& out_;
  store::Store& store_;
  const Redactor& redactor_;
  std::mutex mu_;  // the browsers, the tabs' pages, in_flight_, generation_
  std::unique_ptr<cdp::Browser> browser_;
  // The Runner's generation of browser_ (see AttemptInTab); written under
  // mu_ and login_mu_ both, so either is enough to read it.
  int generation_ = 0;
  std::unique_ptr<cdp::Browser> retired_;  // moved on from: its last attempts finish in it
  std::atomic<pid_t> retired_pid_{-1};
  int retired_logins_ = 0;
  cdp::BrowserDisposer disposer_;  // browsers dropped, still being reaped
  NextBrowser next_;               // the one started ahead, if any
  bool taking_over_ = false;       // a tab waits for next_ without mu_: next_ is its until then
  std::condition_variable taken_over_;
  std::vector<Tab> tabs_;
  int in_flight_ = 0;              // attempts in browser_ (not in retired_)
  int waiting_to_replace_ = 0;    // tabs in EnsureBrowser waiting for the others to leave a dead browser
  std::condition_variable left_;  // an attempt left (in_flight_ went down)
  bool replace_browser_ = false;  // a tab saw it die: replace it when the others are out
  std::atomic<bool> abandoned_{false};  // Abandon() ran: no browser starts any more
  std::mutex login_mu_;           // one login at a time; the others share its cookie
  int logins_ = 0;                // logins done in browser_
  std::mutex commit_mu_;          // choosing a final name and renaming to it
  std::mutex check_mu_;           // reading PDFs
  std::atomic<int> downloads_{0};
  std::atomic<int> restarts_{0};
  std::atomic<int> taken_over_count_{0};
  bool had_browser_ = false;
  std::atomic<pid_t> pid_{-1};
};

}  // namespace boletos::jobs
