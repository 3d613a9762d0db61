#pragma once
// A fake browser behind the Runner's seam: FakeLauncher starts FakeSlots
// whose attempts are answered by a function the test gives, on the lane's
// own thread, so a test decides what each attempt returns and when (see
// Gates). From the outside it checks what the pool promises: no attempt in
// a closed slot, one attempt per tab at a time, never more than two slots
// alive besides the one starting ahead.
//
// Slot n (1-based, in start order) has the process group FakeLauncher::PidOf(n).

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "jobs/slot_launcher.h"

namespace boletos::jobs::testing {

struct FakeAttempt {
  int slot = 0;  // 1-based, in start order
  int tab = 0;
  std::string id;
  int attempt = 0;
};

class FakeLauncher : public SlotLauncher {
 public:
  using Answer = std::function<AttemptResult(const FakeAttempt&)>;
  explicit FakeLauncher(Answer answer) : answer_(std::move(answer)) {}
  static pid_t PidOf(int slot) { return 4000 + slot; }

  void StartAhead() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (ahead_ || killed_) return;
    ahead_ = true;
    ++record_.started_ahead;
    successes_when_ahead_.push_back(slots_[slots_started_].successes);
    cv_.notify_all();
  }
  bool started_ahead() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return ahead_;
  }
  Result<StartedSlot> Take() override;
  pid_t starting_pid() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return ahead_ ? PidOf(slots_started_ + 1) : -1;
  }
  void Kill() override {
    std::lock_guard<std::mutex> lock(mu_);
    killed_ = true;
    for (auto& [slot, state] : slots_) state.killed = true;
    cv_.notify_all();
  }
  void Shutdown() override {
    std::lock_guard<std::mutex> lock(mu_);
    ahead_ = false;
    killed_ = false;
  }

  // The next N starts fail with a launch error.
  void FailStarts(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_starts_ = n;
  }
  // Whether slot n was killed (Abandon); an answer may look.
  bool killed(int slot) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = slots_.find(slot);
    return it != slots_.end() && it->second.killed;
  }
  // Waits (up to 10 s) until a slot is starting ahead; false if none did.
  bool WaitStartedAhead() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return ahead_; });
  }

  struct Record {
    int slots_started = 0;
    int slots_prepared_ahead = 0;  // taken over from a start ahead
    int started_ahead = 0;         // StartAhead() calls that started one
    std::vector<int> closed;       // slots in the order they closed
    int most_alive = 0;            // slots alive at once, counting one starting ahead
    int attempts_in_closed = 0;    // violations, all three must stay 0
    int two_in_one_tab = 0;
    int closed_with_attempt_in_flight = 0;
    std::vector<int> busy_at_start;  // attempts running in other slots as each slot started
    std::map<int, int> successes_by_slot;
    std::map<int, std::vector<std::string>> attempts_by_slot;  // ids, in order of start
  };
  Record record() const {
    std::lock_guard<std::mutex> lock(mu_);
    return record_;
  }
  // The newest slot's successes when each StartAhead() began one.
  std::vector<int> successes_when_ahead() const {
    std::lock_guard<std::mutex> lock(mu_);
    return successes_when_ahead_;
  }

 private:
  class Slot;
  struct SlotState {
    bool open = true;
    bool killed = false;
    std::set<int> busy_tabs;
    int successes = 0;
  };
  int BusyTabs() const {
    int busy = 0;
    for (auto& [n, state] : slots_) busy += static_cast<int>(state.busy_tabs.size());
    return busy;
  }
  void NoteAlive() {
    int alive = 0;
    for (auto& [n, state] : slots_) alive += state.open ? 1 : 0;
    record_.most_alive = std::max(record_.most_alive, alive + (ahead_ ? 1 : 0));
  }

  Answer answer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool ahead_ = false;
  bool killed_ = false;
  int fail_starts_ = 0;
  int slots_started_ = 0;
  std::map<int, SlotState> slots_;
  Record record_;
  std::vector<int> successes_when_ahead_;
};

class FakeLauncher::Slot : public BrowserSlot {
 public:
  Slot(FakeLauncher& launcher, int n) : launcher_(launcher), n_(n) {}
  ~Slot() override {
    std::lock_guard<std::mutex> lock(launcher_.mu_);
    SlotState& state = launcher_.slots_[n_];
    if (!state.busy_tabs.empty()) ++launcher_.record_.closed_with_attempt_in_flight;
    state.open = false;
    launcher_.record_.closed.push_back(n_);
  }
  AttemptResult Attempt(int tab, const store::WorkItem& item, int attempt) override {
    {
      std::lock_guard<std::mutex> lock(launcher_.mu_);
      SlotState& state = launcher_.slots_[n_];
      if (!state.open) ++launcher_.record_.attempts_in_closed;
      if (!state.busy_tabs.insert(tab).second) ++launcher_.record_.two_in_one_tab;
      launcher_.record_.attempts_by_slot[n_].push_back(item.client.id);
    }
    AttemptResult result = launcher_.answer_(FakeAttempt{n_, tab, item.client.id, attempt});
    std::lock_guard<std::mutex> lock(launcher_.mu_);
    launcher_.slots_[n_].busy_tabs.erase(tab);
    if (result.ok()) {
      ++launcher_.slots_[n_].successes;
      ++launcher_.record_.successes_by_slot[n_];
    }
    return result;
  }
  pid_t pid() const override { return PidOf(n_); }
  void Kill() override {
    std::lock_guard<std::mutex> lock(launcher_.mu_);
    launcher_.slots_[n_].killed = true;
    launcher_.cv_.notify_all();
  }

 private:
  FakeLauncher& launcher_;
  int n_;
};

inline Result<StartedSlot> FakeLauncher::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  bool ahead = std::exchange(ahead_, false);
  if (killed_) return MakeError(ErrorKind::kInterrupted, "the stop's grace period ran out: no new browser starts");
  if (fail_starts_ > 0) {
    --fail_starts_;
    return MakeError(ErrorKind::kTimeout, "scripted launch failure");
  }
  int n = ++slots_started_;
  ++record_.slots_started;
  record_.busy_at_start.push_back(BusyTabs());
  if (ahead) ++record_.slots_prepared_ahead;
  slots_[n] = SlotState{};
  NoteAlive();
  StartedSlot started;
  started.slot = std::make_unique<Slot>(*this, n);
  started.description = "fake " + std::to_string(n) + " (pid " + std::to_string(PidOf(n)) + ")";
  started.prepared_ahead = ahead;
  return started;
}

// A done attempt: the client's file, as a worker would have committed it.
inline AttemptSuccess FakeDownload(const std::string& id) {
  AttemptSuccess s;
  s.download.file = "2026-12/" + id + ".pdf";
  s.download.bytes = 100;
  s.download.sha256 = std::string(64, 'a');
  return s;
}

// Gates: attempts that wait until the test lets them go. An attempt calls
// Pass(id), which blocks until Open(id) or OpenAll(); the test waits for
// attempts to arrive with WaitArrived().
class Gates {
 public:
  void Pass(const std::string& id) {
    std::unique_lock<std::mutex> lock(mu_);
    arrived_.insert(id);
    cv_.notify_all();
    cv_.wait(lock, [&] { return all_open_ || open_.count(id) > 0; });
    open_.erase(id);
    arrived_.erase(id);
  }
  void Open(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    open_.insert(id);
    cv_.notify_all();
  }
  void OpenAll() {
    std::lock_guard<std::mutex> lock(mu_);
    all_open_ = true;
    cv_.notify_all();
  }
  // Waits (up to 10 s) until every one of ids waits at its gate.
  bool WaitArrived(const std::set<std::string>& ids) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] {
      for (const auto& id : ids) {
        if (!arrived_.count(id)) return false;
      }
      return true;
    });
  }


 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::string> arrived_;
  std::set<std::string> open_;
  bool all_open_ = false;
};

}  // namespace boletos::jobs::testing
