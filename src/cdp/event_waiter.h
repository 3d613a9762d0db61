#pragma once
// EventWaiter: collects the events a caller is about to wait for, so none is
// missed between "start the action" and "wait for its outcome". Wait()
// returns the first collected event that matches, or fails at the deadline,
// when the connection closes (kConnectionClosed) or when the watched session's
// target crashes or detaches (kTargetCrashed).

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cdp/cdp_connection.h"

namespace boletos::cdp {

class EventWaiter {
 public:
  // Subscribes to methods on session_id (kAnySession for all). If
  // session_id names a real session, its crash or detachment ends waits.
  EventWaiter(CdpConnection& conn, const std::string& session_id, const std::vector<std::string>& methods);
  // Unsubscribes before any member goes: handlers use them all.
  ~EventWaiter() { subscriptions_.clear(); }
  EventWaiter(const EventWaiter&) = delete;
  EventWaiter& operator=(const EventWaiter&) = delete;

  // Also collect these events from another session (a popup we attached to).
  void Watch(const std::string& session_id, const std::vector<std::string>& methods);

  // Takes the first collected event matching pred, waiting until deadline.
  // what names the wait in the timeout message ("the load event of URL").
  Result<CdpEvent> Wait(const std::function<bool(const CdpEvent&)>& pred, Deadline deadline, const std::string& what);

  // Waits until the wake-up of any event (or failure); for callers that
  // drive a state machine of their own. Returns false at the deadline.
  Result<bool> WaitAny(Deadline deadline);
  // Takes every collected event, oldest first.
  std::vector<CdpEvent> Drain();

 private:
  void Push(const CdpEvent& e);
  Status FailureLocked() const;

  CdpConnection& conn_;
  std::string session_id_;
  std::vector<Subscription> subscriptions_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<CdpEvent> events_;
  uint64_t generation_ = 0;
  std::string crash_;   // non-empty: the watched target crashed or detached
  std::string closed_;  // non-empty: the connection closed
};

}  // namespace boletos::cdp
