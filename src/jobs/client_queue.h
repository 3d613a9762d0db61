#pragma once
// ClientQueue: which client next. Fresh work comes from the store in pages
// in a stable order (so memory stays flat for 100,000 clients); a client
// that failed and has attempts left waits in a small in-memory list until
// its backoff has passed, without holding up the others.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace boletos::jobs {

class ClientQueue {
 public:
  using Clock = std::chrono::steady_clock;

  // batch: at most this many distinct clients this run (0 = all).
  ClientQueue(store::Store& store, std::string period, int max_attempts, int batch, int page_size = 100);

  // The client whose turn it is now; or, when only clients in backoff
  // remain, nothing with *ready_at set to the earliest one's time; or
  // nothing with *ready_at = Clock::time_point::max(): the queue is done.
  // It never waits: the Runner waits for a lane and a backoff at once. A
  // store error ends the queue with that error.
  Result<std::optional<store::WorkItem>> TryNext(Clock::time_point* ready_at);

  // Puts a failed client back, due again at ready_at. attempts is its total.
  // When it is due, it is read again from the store: a `retry` or an import
  // meanwhile changed what its next attempt counts from (or its columns).
  void Retry(store::WorkItem item, int attempts, Clock::time_point ready_at);

  // Distinct clients taken so far / the number this run will take at most.
  int taken() const { return taken_; }
  int planned() const { return planned_; }
  // Whether any client is still to come: one not taken yet, or a retry.
  bool has_more() const { return taken_ < planned_ || !waiting_.empty(); }
  // How many: clients not taken yet, and retries.
  int remaining() const { return planned_ - taken_ + static_cast<int>(waiting_.size()); }
  Status Plan();  // counts the work: call once before TryNext()

 private:
  Status Refill();

  store::Store& store_;
  std::string period_;
  int max_attempts_;
  int batch_;
  int page_size_;
  std::vector<store::WorkItem> page_;
  size_t page_pos_ = 0;
  std::string last_id_;
  bool store_exhausted_ = false;
  int taken_ = 0;
  int planned_ = 0;
  struct Waiting {
    Clock::time_point ready_at;
    store::WorkItem item;
  };
  std::vector<Waiting> waiting_;  // few: only clients that failed in this run
};

}  // namespace boletos::jobs
