#pragma once
// BrowserSlot: one started browser with its tabs, ready for attempts: what
// the BrowserPool leases to the Runner, a tab at a time. ChromiumSlot is the
// real one; the tests' fakes finish their attempts when the test says.
//
// Invariants: Attempt() runs on at most one thread per tab at a time (the
// Runner's lanes), on any number of tabs at once. pid() and Kill() may be
// called from any thread. The slot is destroyed only once no attempt runs in
// it (the pool holds it until its last lease comes back); destroying it
// closes its browser without waiting for the processes to be reaped.

#include <sys/types.h>

#include <memory>
#include <string>

#include "jobs/attempt_result.h"
#include "store/store.h"

namespace boletos::jobs {

class BrowserSlot {
 public:
  virtual ~BrowserSlot() = default;
  // Logs the tab in if it needs it, then downloads, checks and commits the
  // client's boleto (attempt is 1-based). A failure with browser_died set
  // means the slot takes no more attempts.
  virtual AttemptResult Attempt(int tab, const store::WorkItem& item, int attempt) = 0;
  virtual pid_t pid() const = 0;  // the browser's process group
  // SIGKILL to the browser now: the attempts in it fail at once.
  virtual void Kill() = 0;
};

// A slot as the launcher hands it over, with how it started for the log.
struct StartedSlot {
  std::unique_ptr<BrowserSlot> slot;
  std::string description;  // "HeadlessChrome/156.0 (pid 4242, 480 ms)"
  bool prepared_ahead = false;
};

}  // namespace boletos::jobs
