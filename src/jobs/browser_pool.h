#pragma once
// BrowserPool: the run's browsers as leased slots. New attempts go to the
// current slot; the Runner takes a lease on it for each attempt and gives it
// back when it has recorded the attempt. A slot counts what it was leased
// for and what succeeded in it; it takes no more once the Runner recycles
// it, it died, or the pool moved on from it, and it closes (its browser to
// the disposer) when its last lease comes back. "Moving on" is: the slot
// started ahead becomes the current one.
//
// Invariants: at most two slots live, the current one and one moved on
// from that still has leases out, besides the one starting ahead in the
// launcher; a slot is destroyed only with no lease out; every slot comes
// from the launcher. The Runner's thread only, except Abandon() and pids().

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "jobs/slot_launcher.h"

namespace boletos::jobs {

class BrowserPool {
  struct Slot;

 public:
  // One attempt's hold on a slot's tab. Returned with Return() once the
  // Runner has recorded the attempt; one dropped unreturned is returned as
  // neither a success nor a death.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();
    bool slot_held() const { return pool_ != nullptr; }  // not returned, not empty
    BrowserSlot& slot() const;
    int tab() const { return tab_; }
    // Whether the slot is still the pool's current one (not moved on from).
    bool in_current() const;
    // The attempt is recorded: a success counts for the slot; died: it
    // takes no more attempts.
    void Return(bool succeeded, bool died);

   private:
    friend class BrowserPool;
    Lease(BrowserPool* pool, std::shared_ptr<Slot> slot, int tab);
    BrowserPool* pool_ = nullptr;
    std::shared_ptr<Slot> slot_;
    int tab_ = 0;
  };

  explicit BrowserPool(SlotLauncher& launcher);
  ~BrowserPool();
  BrowserPool(const BrowserPool&) = delete;
  BrowserPool& operator=(const BrowserPool&) = delete;

  // A current slot: the one there is, or one from the launcher (started
  // ahead or now). Errors: why none could start.
  Status EnsureCurrent();
  // A lease on tab `tab` of the current slot (EnsureCurrent() first).
  Lease LeaseTab(int tab);

  // The current slot's figures; 0 / false / -1 when there is none.
  bool has_current() const { return current_ != nullptr; }
  int leased() const;     // its leases out
  int succeeded() const;  // successes recorded in it
  bool dead() const;      // it died: no new attempt goes to it
  pid_t current_pid() const;
  // A slot moved on from still has leases out.
  bool moving() const { return moved_from_ != nullptr; }
  // Slots started so far, and of those the ones prepared ahead.
  int slots_started() const { return slots_started_; }
  int slots_prepared_ahead() const { return slots_prepared_ahead_; }

  void StartAhead() { launcher_.StartAhead(); }
  bool started_ahead() const { return launcher_.started_ahead(); }
  // The slot started ahead becomes the current one; the old one finishes
  // its leases and closes. Only with one started ahead, a live current
  // slot and none moved on from still open. If the one ahead failed, the
  // pool has no current slot (the next EnsureCurrent() starts one).
  void MoveOn(const std::string& reason);
  // Closes the current slot, which has no lease out.
  void Recycle(const std::string& reason);

  // The process groups of the current slot, the one starting ahead and the
  // one moved on from (those that exist), for memory readings.
  std::vector<pid_t> pids() const;
  // Any thread: kills every browser now, and none starts after.
  void Abandon();
  // Closes every slot (no lease may be out) and waits until their browsers
  // are reaped.
  void Shutdown();

 private:
  void Returned(const std::shared_ptr<Slot>& slot, bool succeeded, bool died);
  // Under mu_ for Abandon(): replaces a slot pointer; the old slot closes
  // (outside the lock) when the caller's copy goes.
  void Close(std::shared_ptr<Slot>& which);

  SlotLauncher& launcher_;
  std::shared_ptr<Slot> current_;
  std::shared_ptr<Slot> moved_from_;
  int slots_started_ = 0;
  int slots_prepared_ahead_ = 0;
  mutable std::mutex mu_;  // current_ and moved_from_ as pointers, for Abandon() and pids()
  bool abandoned_ = false;  // under mu_
};

}  // namespace boletos::jobs
