#pragma once
// CloseNotice: the one close a Transport reports to its owner. Whichever
// of the reader, a failed send or Close() sees the end first gives the
// reason; later ones change nothing. The notice lives under its
// transport's own mutex (the guard), so the transport's other state and
// "closed" change together: a thread waiting on a condition of both
// cannot miss the close.
//
// Invariant: the handler is handed out at most once, and only by Give();
// the caller runs it outside the guard.

#include <mutex>
#include <optional>
#include <string>

#include "cdp/transport.h"

namespace boletos::cdp {

class CloseNotice {
 public:
  explicit CloseNotice(std::mutex& guard) : guard_(guard) {}

  // The caller holds the guard.
  bool given() const { return given_; }
  const std::string& reason() const { return reason_; }
  void Listen(Transport::CloseFn handler) { handler_ = std::move(handler); }

  // Takes the guard. The first call records why and returns the handler to
  // run (empty if none was set yet: Start still hears of it through
  // given()/reason()); later calls return nullopt.
  std::optional<Transport::CloseFn> Give(const std::string& why) {
    std::lock_guard<std::mutex> lock(guard_);
    if (given_) return std::nullopt;
    given_ = true;
    reason_ = why;
    return handler_;
  }

 private:
  std::mutex& guard_;
  bool given_ = false;
  std::string reason_;
  Transport::CloseFn handler_;
};

}  // namespace boletos::cdp
