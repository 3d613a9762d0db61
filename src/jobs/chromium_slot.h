#pragma once
// ChromiumSlot: the real BrowserSlot, a headless Chromium and one page per
// tab. Each tab logs in when it needs to (once per browser: a tab new in a
// browser where another has logged in shares its session cookie), runs the
// flow's client steps into a temporary file and hands it to SlipCommit. A
// failure keeps its artifacts (screenshot with secrets masked, redacted
// HTML) unless the browser died, which marks the slot dead.
//
// Invariants: one attempt per tab at a time (BrowserSlot); a tab's page is
// touched only by its own attempt; the browser is alive for the slot's
// whole life unless it died (then every later attempt fails at once, as
// never started). Destroying the slot kills the browser and hands it to the
// disposer to reap.

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "cdp/browser.h"
#include "cdp/browser_disposer.h"
#include "core/redactor.h"
#include "flow/flow_runner.h"
#include "jobs/browser_slot.h"
#include "jobs/output_folder.h"
#include "jobs/slip_commit.h"

namespace boletos::jobs {

// What every slot of a run works with; outlives the slots.
struct SlotServices {
  const flow::FlowRunner& flow;
  SlipCommit& commit;
  OutputFolder& out;
  const Redactor& redactor;
  // One tab: the renderer idles while the slip is checked, so a garbage
  // collection runs then (with several its main thread is busy).
  bool collect_garbage_each_client = false;
};

class ChromiumSlot : public BrowserSlot {
 public:
  // pages: one per tab, opened ahead (the first logged in), or none: each
  // tab opens its own at its first attempt and the first to log in does.
  // disposer: reaps the browser once the slot is destroyed.
  ChromiumSlot(std::unique_ptr<cdp::Browser> browser, std::vector<std::unique_ptr<cdp::Page>> pages, int tabs,
               const SlotServices& services, cdp::BrowserDisposer& disposer);
  ~ChromiumSlot() override;
  ChromiumSlot(const ChromiumSlot&) = delete;
  ChromiumSlot& operator=(const ChromiumSlot&) = delete;

  AttemptResult Attempt(int tab, const store::WorkItem& item, int attempt) override;
  pid_t pid() const override { return pid_; }
  void Kill() override;

 private:
  struct TabPage {
    std::unique_ptr<cdp::Page> page;
    bool needs_login = true;
    bool fresh = true;  // not used yet in this browser
  };
  Status EnsureLoggedIn(TabPage& tab);
  AttemptFailure Fail(TabPage& tab, const std::string& client_id, Error error, bool foreign = false);
  void KeepFailureArtifacts(cdp::Page& page, const std::string& client_id);

  std::unique_ptr<cdp::Browser> browser_;
  const pid_t pid_;
  std::vector<TabPage> tabs_;
  SlotServices services_;
  cdp::BrowserDisposer& disposer_;
  std::mutex login_mu_;  // one login at a time; the others share its cookie
  int logins_ = 0;       // under login_mu_
  std::atomic<bool> died_{false};  // an attempt saw the browser die
};

}  // namespace boletos::jobs
