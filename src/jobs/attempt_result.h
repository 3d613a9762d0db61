#pragma once
// AttemptResult: how one attempt at one client ended, as the Runner records
// it: the committed download, or the error and what it says about the
// browser and the slip.

#include <optional>
#include <string>

#include "core/result.h"
#include "store/store.h"

namespace boletos::jobs {

// Whether an error says the browser itself is gone (its connection closed,
// its target crashed), not just the step.
inline bool BrowserGone(ErrorKind kind) {
  return kind == ErrorKind::kConnectionClosed || kind == ErrorKind::kTargetCrashed;
}

// How an attempt failed, beyond its Error: the run loop counts these.
struct AttemptFailure {
  Error error;
  bool foreign_slip = false;    // the slip belonged to another client
  bool browser_died = false;    // the browser must be replaced
  // It never reached the portal (its browser was found dead before it
  // began): not the client's attempt, so it is not counted against it.
  bool never_started = false;
};

struct AttemptSuccess {
  store::Download download;     // the file is already at its final name, fsynced
  bool printed_html = false;
  // Non-empty: the portal has no slip for the client this period (what the
  // flow's none_if saw); download is empty.
  std::string no_slip;
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

}  // namespace boletos::jobs
