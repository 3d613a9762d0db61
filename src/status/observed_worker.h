#pragma once
// ObservedWorker: the run's ClientWorker as the status port sees it. It
// forwards every call to the real worker and tells LiveStatus whether the
// browser died with the attempt and how many new browsers were started,
// which the Runner's progress does not carry. With a null LiveStatus it only
// forwards. Called from every busy tab's thread at once with --tabs.

#include <atomic>

#include "jobs/client_worker.h"
#include "status/live_status.h"

namespace boletos::status {

class ObservedWorker : public jobs::ClientWorker {
 public:
  ObservedWorker(jobs::ClientWorker& inner, LiveStatus* live) : inner_(inner), live_(live) {}

  jobs::AttemptResult Attempt(const store::WorkItem& item, int attempt) override {
    return Observed(inner_.Attempt(item, attempt));
  }
  int tabs() const override { return inner_.tabs(); }
  jobs::AttemptResult AttemptInTab(const store::WorkItem& item, int attempt, int tab, int generation) override;
  void Recycle(const std::string& reason) override { inner_.Recycle(reason); }
  void PrepareNextBrowser() override { inner_.PrepareNextBrowser(); }
  pid_t next_browser_pid() const override { return inner_.next_browser_pid(); }
  bool MoveToNextBrowser(const std::string& reason) override { return inner_.MoveToNextBrowser(reason); }
  void CloseRetiredBrowser() override { inner_.CloseRetiredBrowser(); }
  pid_t retired_browser_pid() const override { return inner_.retired_browser_pid(); }
  int downloads_since_start() const override { return inner_.downloads_since_start(); }
  int browser_restarts() const override { return inner_.browser_restarts(); }
  pid_t browser_pid() const override { return inner_.browser_pid(); }
  void Abandon() override { inner_.Abandon(); }
  void Shutdown() override { inner_.Shutdown(); }

 private:
  // Tells LiveStatus how the attempt ended; returns it.
  jobs::AttemptResult Observed(jobs::AttemptResult result);

  jobs::ClientWorker& inner_;
  LiveStatus* live_;
  std::atomic<int> restarts_seen_{0};
};

}  // namespace boletos::status
