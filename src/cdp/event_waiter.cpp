#include "cdp/event_waiter.h"

#include "cdp/json_fields.h"
#include "core/duration.h"

namespace boletos::cdp {

EventWaiter::EventWaiter(CdpConnection& conn, const std::string& session_id, const std::vector<std::string>& methods)
    : conn_(conn), session_id_(session_id) {
  Watch(session_id, methods);
  if (!session_id.empty() && session_id != kAnySession) {
    subscriptions_.push_back(conn.Subscribe("Inspector.targetCrashed", session_id, [this](const CdpEvent&) {
      std::lock_guard<std::mutex> lock(mu_);
      crash_ = "the page crashed (renderer process died)";
      cv_.notify_all();
    }));
    subscriptions_.push_back(conn.Subscribe("Target.detachedFromTarget", "", [this](const CdpEvent& e) {
      if (StringField(e.params, "sessionId") != session_id_) return;
      std::lock_guard<std::mutex> lock(mu_);
      crash_ = "the page was closed or detached";
      cv_.notify_all();
    }));
  }
  subscriptions_.push_back(conn.OnClose([this](const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = reason.empty() ? "closed" : reason;
    cv_.notify_all();
  }));
}

void EventWaiter::Watch(const std::string& session_id, const std::vector<std::string>& methods) {
  for (const auto& m : methods) {
    subscriptions_.push_back(conn_.Subscribe(m, session_id, [this](const CdpEvent& e) { Push(e); }));
  }
}

void EventWaiter::Push(const CdpEvent& e) {
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back(e);
  ++generation_;
  cv_.notify_all();
}

Status EventWaiter::FailureLocked() const {
  if (!crash_.empty()) return MakeError(ErrorKind::kTargetCrashed, crash_);
  if (!closed_.empty()) {
    return MakeError(ErrorKind::kConnectionClosed, "the browser connection closed (" + closed_ + ")");
  }
  return Status::Ok();
}

Result<CdpEvent> EventWaiter::Wait(const std::function<bool(const CdpEvent&)>& pred, Deadline deadline,
                                   const std::string& what) {
  std::unique_lock<std::mutex> lock(mu_);
  size_t scanned = 0;
  while (true) {
    for (; scanned < events_.size(); ++scanned) {
      if (pred(events_[scanned])) {
        CdpEvent found = std::move(events_[scanned]);
        events_.erase(events_.begin() + static_cast<long>(scanned));
        return found;
      }
    }
    if (Status failure = FailureLocked(); !failure.ok()) return failure.error();
    if (cv_.wait_until(lock, deadline.when()) == std::cv_status::timeout && deadline.expired()) {
      for (; scanned < events_.size(); ++scanned) {
        if (pred(events_[scanned])) {
          CdpEvent found = std::move(events_[scanned]);
          events_.erase(events_.begin() + static_cast<long>(scanned));
          return found;
        }
      }
      return MakeError(ErrorKind::kTimeout, "waited " + FormatDuration(deadline.budget()) + " for " + what);
    }
  }
}

Result<bool> EventWaiter::WaitAny(Deadline deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!events_.empty()) return true;
  if (Status failure = FailureLocked(); !failure.ok()) return failure.error();
  uint64_t seen = generation_;
  cv_.wait_until(lock, deadline.when(), [&] { return generation_ != seen || !crash_.empty() || !closed_.empty(); });
  if (generation_ != seen) return true;
  if (Status failure = FailureLocked(); !failure.ok()) return failure.error();
  return false;
}

std::vector<CdpEvent> EventWaiter::Drain() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CdpEvent> out(std::make_move_iterator(events_.begin()), std::make_move_iterator(events_.end()));
  events_.clear();
  return out;
}

}  // namespace boletos::cdp
