#pragma once
// NextBrowser: the browser a worker of several tabs moves to next, started
// ahead on a thread of its own while the current browser's last clients
// run: launched, its tabs opened, the first one logged in. Started at the
// recycle instead, those three (about 95 + 140 + 170 ms in bench/run) ran
// one after the other while every tab waited.
//
// It is only ever a second browser for a moment, so the Runner starts it
// only when the memory budget has room for one (see
// Runner::ShouldPrepareNextBrowser).

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "cdp/browser.h"
#include "core/result.h"

namespace boletos::jobs {

struct PreparedBrowser {
  std::unique_ptr<cdp::Browser> browser;
  std::vector<std::unique_ptr<cdp::Page>> pages;  // one per tab; pages[0] is logged in
  std::chrono::milliseconds took{0};               // from Start() to ready
};

// Not thread-safe but for Kill() and pid(): its owner serialises the rest.
class NextBrowser {
 public:
  // login: the flow's login, run in the first tab.
  NextBrowser(cdp::LaunchOptions launch, int tabs, std::function<Status(cdp::Page&)> login);
  ~NextBrowser() { Cancel(); }
  NextBrowser(const NextBrowser&) = delete;
  NextBrowser& operator=(const NextBrowser&) = delete;

  // Starts preparing one in the background; does nothing if one is started
  // already (preparing or ready) or Kill() ran.
  void Start();
  bool started() const { return thread_.joinable(); }
  // Waits until it is ready and hands it over; or why it could not be made
  // (the error of its launch, a tab or the login: it is then closed). After
  // Take() it is no longer started.
  Result<PreparedBrowser> Take();
  // Kills it now, from any thread (a stop's grace period ran out); any
  // later Start() does nothing.
  void Kill();
  // Kills it and waits for its thread (shutdown). Start() works again.
  void Cancel();
  // The browser's process group while one is starting or ready, else -1.
  pid_t pid() const { return pid_.load(); }

 private:
  void Prepare();

  cdp::LaunchOptions launch_;
  int tabs_;
  std::function<Status(cdp::Page&)> login_;
  std::thread thread_;
  std::optional<Result<PreparedBrowser>> outcome_;  // written by thread_, read after join
  std::atomic<pid_t> pid_{-1};
  std::atomic<bool> killed_{false};
  std::mutex kill_mu_;  // pid_ is not signalled after its browser was reaped
};

}  // namespace boletos::jobs
