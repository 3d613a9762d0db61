#pragma once
// WatchedLauncher: wraps a real SlotLauncher so a test with real browsers
// sees what the pool does: how many attempts run at once, which slot each
// failure was in, and each move (a slot taken while the one before still
// has attempts in it) - and can act at the first such move, from the
// Runner's own thread: no polling, no sleeps.

#include <signal.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "jobs/slot_launcher.h"

namespace boletos::jobs::testing {

class WatchedLauncher : public SlotLauncher {
 public:
  explicit WatchedLauncher(SlotLauncher& inner) : inner_(inner) {}

  void StartAhead() override { inner_.StartAhead(); }
  bool started_ahead() const override { return inner_.started_ahead(); }
  pid_t starting_pid() const override { return inner_.starting_pid(); }
  void Kill() override { inner_.Kill(); }
  void Shutdown() override { inner_.Shutdown(); }
  Result<StartedSlot> Take() override {
    // Seen and acted on before the inner Take(), which may wait for the
    // browser started ahead: that is when the pool decided to move.
    std::function<void(pid_t)> act;
    pid_t old_pid = -1;
    {
      std::lock_guard<std::mutex> lock(mu_);
      int busy_before = slots_ > 0 ? in_flight_by_slot_[slots_] : 0;
      if (busy_before > 0) {
        busy_at_moves_.push_back(busy_before);
        old_pid = pids_[slots_];
        if (busy_before > 1 && at_first_move_) {
          moved_on_from_.push_back(old_pid);
          act = std::exchange(at_first_move_, {});
        }
      }
    }
    if (act) act(old_pid);  // on the Runner's thread, inside the move
    auto started = inner_.Take();
    if (!started.ok()) return started;
    std::lock_guard<std::mutex> lock(mu_);
    int n = ++slots_;
    pids_[n] = started->slot->pid();
    started->slot = std::make_unique<Slot>(*this, std::move(started->slot), n);
    return started;
  }

  // Calls act(pid of the browser moved on from) at the first move that
  // leaves two or more attempts in the old browser.
  void AtTheFirstMoveWithTwoLeft(std::function<void(pid_t)> act) {
    std::lock_guard<std::mutex> lock(mu_);
    at_first_move_ = std::move(act);
  }
  // Waits until at least `count` attempts run at once after `after` began;
  // false if the run ended first.
  bool WaitForParallel(int count, int after) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return (in_flight_ >= count && started_ > after) || ended_; });
    return !ended_;
  }
  void RunEnded() {
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = true;
    cv_.notify_all();
  }
  pid_t CurrentPid() {
    std::lock_guard<std::mutex> lock(mu_);
    return slots_ > 0 ? pids_[slots_] : -1;
  }
  int slots() {
    std::lock_guard<std::mutex> lock(mu_);
    return slots_;
  }
  std::vector<int> BusyAtMoves() {
    std::lock_guard<std::mutex> lock(mu_);
    return busy_at_moves_;
  }
  std::vector<pid_t> MovedOnFromWithTwoLeft() {
    std::lock_guard<std::mutex> lock(mu_);
    return moved_on_from_;
  }
  std::map<int, int> FailedBySlot() {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_by_slot_;
  }

 private:
  class Slot : public BrowserSlot {
   public:
    Slot(WatchedLauncher& w, std::unique_ptr<BrowserSlot> inner, int n) : w_(w), inner_(std::move(inner)), n_(n) {}
    AttemptResult Attempt(int tab, const store::WorkItem& item, int attempt) override {
      {
        std::lock_guard<std::mutex> lock(w_.mu_);
        ++w_.in_flight_;
        ++w_.started_;
        ++w_.in_flight_by_slot_[n_];
        w_.cv_.notify_all();
      }
      AttemptResult r = inner_->Attempt(tab, item, attempt);
      std::lock_guard<std::mutex> lock(w_.mu_);
      --w_.in_flight_;
      --w_.in_flight_by_slot_[n_];
      if (!r.ok()) ++w_.failed_by_slot_[n_];
      return r;
    }
    pid_t pid() const override { return inner_->pid(); }
    void Kill() override { inner_->Kill(); }

   private:
    WatchedLauncher& w_;
    std::unique_ptr<BrowserSlot> inner_;
    int n_;
  };

  SlotLauncher& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  int slots_ = 0;
  int in_flight_ = 0;
  int started_ = 0;
  bool ended_ = false;
  std::map<int, int> in_flight_by_slot_;
  std::map<int, pid_t> pids_;
  std::map<int, int> failed_by_slot_;
  std::vector<int> busy_at_moves_;
  std::vector<pid_t> moved_on_from_;
  std::function<void(pid_t)> at_first_move_;
};

}  // namespace boletos::jobs::testing
