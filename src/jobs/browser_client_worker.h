#pragma once
// BrowserClientWorker: the real ClientWorker. It keeps one browser and one
// tab alive across clients, logs in after every browser start and whenever
// the flow's login check is absent, runs the client steps, checks what was
// downloaded (a well-formed PDF, the right client's slip) and commits the
// file. A dead browser (crash, OOM kill, closed socket) is replaced on the
// next attempt; the attempt it broke counts as failed.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "cdp/browser.h"
#include "core/redactor.h"
#include "flow/flow_runner.h"
#include "jobs/client_worker.h"
#include "jobs/output_folder.h"
#include "jobs/slip_check.h"

namespace boletos::jobs {

struct WorkerSettings {
  cdp::LaunchOptions launch;
  std::string period;  // "2026-12"
};

class BrowserClientWorker : public ClientWorker {
 public:
  BrowserClientWorker(WorkerSettings settings, const flow::FlowRunner& flow, const SlipCheck& check,
                      OutputFolder& out, store::Store& store, const Redactor& redactor);
  ~BrowserClientWorker() override;

  AttemptResult Attempt(const store::WorkItem& item, int attempt) override;
  void Recycle(const std::string& reason) override;
  int downloads_since_start() const override { return downloads_; }
  int browser_restarts() const override { return restarts_; }
  pid_t browser_pid() const override { return pid_.load(); }
  void Abandon() override;
  void Shutdown() override;

 private:
  Status EnsureBrowser();
  Status EnsureLoggedIn();
  void KeepFailureArtifacts(const std::string& client_id);
  void DropBrowser();
  AttemptFailure Fail(const std::string& client_id, Error error, bool foreign = false);

  WorkerSettings settings_;
  const flow::FlowRunner& flow_;
  const SlipCheck& check_;
  OutputFolder& out_;
  store::Store& store_;
  const Redactor& redactor_;
  std::unique_ptr<cdp::Browser> browser_;
  std::unique_ptr<cdp::Page> page_;
  bool needs_login_ = true;
  int downloads_ = 0;
  int restarts_ = 0;
  bool had_browser_ = false;
  std::atomic<pid_t> pid_{-1};
};

}  // namespace boletos::jobs
