#pragma once
// ChromiumLauncher: the real SlotLauncher. Started ahead, on a thread of its
// own while the current browser's last clients run, a slot comes launched,
// with its tabs open and the first one logged in: started at the recycle
// instead, those three (about 95 + 140 + 170 ms in bench/run) ran one after
// the other while every tab waited. Started on demand (the run's first
// browser, after a death, with one tab), only the launch runs on the
// caller's thread; each tab opens its page and the first logs in at its
// first attempt, so a failed login leaves its artifacts like any step.
//
// It owns the disposer its slots hand their browsers to, so it must outlive
// them (the BrowserPool closes every slot before Shutdown()).

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "cdp/browser.h"
#include "cdp/browser_disposer.h"
#include "jobs/chromium_slot.h"
#include "jobs/slot_launcher.h"

namespace boletos::jobs {

class ChromiumLauncher : public SlotLauncher {
 public:
  using Login = std::function<Status(cdp::Page&)>;
  // services.collect_garbage_each_client is set here (one tab). login: how
  // a slot started ahead logs in its first tab; none: the flow's login.
  ChromiumLauncher(cdp::LaunchOptions launch, int tabs, SlotServices services, Login login = {});
  ~ChromiumLauncher() override { Shutdown(); }

  void StartAhead() override;
  bool started_ahead() const override { return ahead_.joinable(); }
  Result<StartedSlot> Take() override;
  pid_t starting_pid() const override { return ahead_pid_.load(); }
  void Kill() override;
  void Shutdown() override;

 private:
  struct Prepared {
    std::unique_ptr<cdp::Browser> browser;
    std::vector<std::unique_ptr<cdp::Page>> pages;  // one per tab; pages[0] is logged in
    std::chrono::milliseconds took{0};
  };
  void PrepareAhead();
  Result<StartedSlot> StartNow();
  StartedSlot Wrap(std::unique_ptr<cdp::Browser> browser, std::vector<std::unique_ptr<cdp::Page>> pages,
                   const std::string& how, bool ahead);

  cdp::LaunchOptions launch_;
  int tabs_;
  cdp::BrowserDisposer disposer_;
  SlotServices services_;
  Login login_;
  std::thread ahead_;
  std::optional<Result<Prepared>> outcome_;  // written by ahead_, read after the join
  std::atomic<pid_t> ahead_pid_{-1};
  std::atomic<bool> killed_{false};
  std::mutex kill_mu_;  // ahead_pid_ is not signalled after its browser was reaped
};

}  // namespace boletos::jobs
