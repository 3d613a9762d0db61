#include "jobs/client_queue.h"

#include <algorithm>

namespace boletos::jobs {

ClientQueue::ClientQueue(store::Store& store, std::string period, int max_attempts, int batch, int page_size)
    : store_(store), period_(std::move(period)), max_attempts_(max_attempts), batch_(batch), page_size_(page_size) {}

Status ClientQueue::Plan() {
  auto count = store_.CountWork(period_, max_attempts_);
  if (!count.ok()) return count.error();
  planned_ = (batch_ > 0) ? std::min(batch_, *count) : *count;
  return Status::Ok();
}

Status ClientQueue::Refill() {
  page_.clear();
  page_pos_ = 0;
  auto next = store_.NextWork(period_, last_id_, page_size_, max_attempts_);
  if (!next.ok()) return next.error();
  page_ = std::move(*next);
  if (page_.empty()) store_exhausted_ = true;
  else last_id_ = page_.back().client.id;
  return Status::Ok();
}

void ClientQueue::Retry(store::WorkItem item, int attempts, Clock::time_point ready_at) {
  item.attempts = attempts;
  item.status = store::JobStatus::kRetrying;
  waiting_.push_back(Waiting{ready_at, std::move(item)});
}

Result<std::optional<store::WorkItem>> ClientQueue::TryNext(Clock::time_point* ready_at) {
  *ready_at = Clock::time_point::max();
  while (true) {
    // A retry whose time has come goes first: it has waited already.
    auto earliest = std::min_element(waiting_.begin(), waiting_.end(),
                                     [](const Waiting& a, const Waiting& b) { return a.ready_at < b.ready_at; });
    if (earliest != waiting_.end() && earliest->ready_at <= Clock::now()) {
      std::string id = earliest->item.client.id;
      waiting_.erase(earliest);
      auto now = store_.WorkFor(period_, id, max_attempts_);
      if (!now.ok()) return now.error();
      if (!now->has_value()) continue;  // no longer work (done or failed by now)
      return now;
    }
    bool may_take_fresh = batch_ <= 0 || taken_ < batch_;
    if (may_take_fresh && !store_exhausted_) {
      if (page_pos_ >= page_.size()) {
        if (Status s = Refill(); !s.ok()) return s.error();
      }
      if (page_pos_ < page_.size()) {
        ++taken_;
        return std::optional<store::WorkItem>(std::move(page_[page_pos_++]));
      }
      continue;  // exhausted now
    }
    if (earliest != waiting_.end()) *ready_at = earliest->ready_at;
    return std::optional<store::WorkItem>();
  }
}

}  // namespace boletos::jobs
