#pragma once
// ClientWorker: one attempt at one client, whatever does the work. The
// Runner decides who is next and records outcomes; the worker owns the
// browser. BrowserClientWorker is the real one; tests plug in fakes.

#include <string>
#include <sys/types.h>

#include "core/result.h"
#include "store/store.h"

namespace boletos::jobs {

// How an attempt failed, beyond its Error: the run loop counts these.
struct AttemptFailure {
  Error error;
  bool foreign_slip = false;    // the slip belonged to another client
  bool browser_died = false;    // the browser must be replaced
};

struct AttemptSuccess {
  store::Download download;     // the file is already at its final name, fsynced
  bool printed_html = false;
};

class AttemptResult {
 public:
  AttemptResult(AttemptSuccess s) : success_(std::move(s)) {}  // NOLINT
  AttemptResult(AttemptFailure f) : failure_(std::move(f)) {}  // NOLINT
  bool ok() const { return success_.has_value(); }
  const AttemptSuccess& success() const { return *success_; }
  const AttemptFailure& failure() const { return *failure_; }

 private:
  std::optional<AttemptSuccess> success_;
  std::optional<AttemptFailure> failure_;
};

class ClientWorker {
 public:
  virtual ~ClientWorker() = default;
  // Downloads, checks and commits the client's boleto (attempt is 1-based).
  // On failure the worker has kept the failure artifacts.
  virtual AttemptResult Attempt(const store::WorkItem& item, int attempt) = 0;
  // How many clients it can work on at once (`--tabs`, one per tab).
  virtual int tabs() const { return 1; }
  // The same in tab `tab` (0 <= tab < tabs()). With several tabs the Runner
  // calls this from one thread per busy tab, never two at once in one tab.
  // generation: the browser the attempt was handed out for, as the Runner
  // counts them: 0 at the start, one more at each MoveToNextBrowser(). An
  // attempt handed out just before a move runs in the retired browser even
  // if its thread gets there after the move.
  virtual AttemptResult AttemptInTab(const store::WorkItem& item, int attempt, int tab, int generation) {
    (void)tab;
    (void)generation;
    return Attempt(item, attempt);
  }
  // Closes the browser; the next attempt starts a fresh one. The Runner
  // calls it only while no attempt is in flight.
  virtual void Recycle(const std::string& reason) = 0;
  // Several tabs, once the current browser has all the clients it takes:
  // the browser started ahead takes the attempts of the next generation
  // while those already handed out finish in the current one, which
  // retires. A tab that comes free starts its next client at once instead
  // of waiting for the slowest tab. Returns false, changing nothing, when no
  // browser was started ahead, one still retires, or the browser is busy.
  virtual bool MoveToNextBrowser(const std::string& reason) {
    (void)reason;
    return false;
  }
  // The retired browser's last attempt is recorded: it closes.
  virtual void CloseRetiredBrowser() {}
  // The retired browser's process group until it closes, else -1.
  virtual pid_t retired_browser_pid() const { return -1; }
  // Starts the next browser ahead, in the background, for the next move or
  // recycle (or the next start after a crash) to take over ready. The Runner
  // asks with several tabs once the current browser has room for at most
  // one more client per tab, and the memory budget has room for two; a
  // worker without a browser to prepare has nothing to do.
  virtual void PrepareNextBrowser() {}
  // That browser's process group while it starts or waits, else -1.
  virtual pid_t next_browser_pid() const { return -1; }
  virtual int downloads_since_start() const = 0;
  virtual int browser_restarts() const = 0;
  virtual pid_t browser_pid() const = 0;  // -1 when no browser runs
  // Kills the browser now (the grace period ran out); thread-safe.
  virtual void Abandon() = 0;
  virtual void Shutdown() = 0;
};

}  // namespace boletos::jobs
