#pragma once
// SlotLauncher: the one place a browser starts. It prepares the next slot
// (browser launched, its tabs open, the first one logged in) in the
// background while the current one still works, or, asked for one when none
// was started ahead, starts it on the caller's thread.
//
// Invariants: at most one slot is starting at a time; after Kill() none
// starts again until Shutdown(). Kill() and starting_pid() may be called
// from any thread; the rest from the pool's (the Runner's) only.

#include <sys/types.h>

#include "core/result.h"
#include "jobs/browser_slot.h"

namespace boletos::jobs {

class SlotLauncher {
 public:
  virtual ~SlotLauncher() = default;
  // Begins starting the next slot in the background; does nothing if one
  // is started already or Kill() ran.
  virtual void StartAhead() = 0;
  virtual bool started_ahead() const = 0;
  // The slot started ahead (waiting until it is ready), or one started now.
  // Errors: why it could not start; kInterrupted once Kill() ran.
  virtual Result<StartedSlot> Take() = 0;
  // The process group of the slot starting ahead, else -1.
  virtual pid_t starting_pid() const = 0;
  // Kills the slot starting ahead now; none starts after (a stop's grace
  // period ran out).
  virtual void Kill() = 0;
  // Closes the slot started ahead, waits until every browser closed so far
  // is reaped; afterwards slots start again.
  virtual void Shutdown() = 0;
};

}  // namespace boletos::jobs
