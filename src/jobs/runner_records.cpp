// The Runner's records: each finished attempt written to the store (done,
// no slip, a failure and its retry, or nothing at all when it was not the
// client's attempt), and the run's last line.

#include <random>

#include <spdlog/spdlog.h>

#include "core/units.h"
#include "jobs/backoff.h"
#include "jobs/client_queue.h"
#include "jobs/runner.h"

namespace boletos::jobs {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

std::string Runner::Summary(RunEnd end, double took) const {
  char pace[64];
  std::snprintf(pace, sizeof pace, "%.1f s (%.2f s per download)", took,
                totals_.done > 0 ? took / totals_.done : 0.0);
  std::string counts = std::to_string(totals_.done) + " done, " +
                       (totals_.none > 0 ? std::to_string(totals_.none) + " with no slip this period, " : "") +
                       std::to_string(totals_.gave_up) +
                       " failed after all attempts, " + std::to_string(totals_.failed_attempts) +
                       " failed attempts, " + std::to_string(totals_.verified) + " slips verified, " +
                       std::to_string(totals_.with_warnings) + " with warnings, " +
                       std::to_string(totals_.foreign_refused) + " foreign slips refused, " +
                       std::to_string(totals_.recycles) + " browser recycles, peak browser PSS " +
                       Megabytes(totals_.peak_browser_pss_kb) + ", peak worker RSS " + Megabytes(totals_.peak_worker_rss_kb) +
                       ", " + pace;
  std::string head = "run " + std::to_string(run_id_) + " ";
  switch (end) {
    case RunEnd::kFinished: return head + "finished normally: " + counts;
    case RunEnd::kSomeFailed: return head + "finished normally, some clients failed: " + counts;
    case RunEnd::kPortalDown:
      return head + "stopped: the portal looks down (" + std::to_string(streak_.consecutive()) +
             " consecutive failures): " + counts;
    case RunEnd::kInterrupted:
      return head + "interrupted by " + (env_.stop_reason ? env_.stop_reason() : std::string("a stop request")) +
             ", stopped cleanly: " + counts;
    case RunEnd::kStoreFailed: return head + "stopped: the database failed: " + store_error_ + ": " + counts;
    case RunEnd::kHumanNeeded: return head + "stopped, a person is needed: " + human_needed_ + ": " + counts;
  }
  return head + counts;
}

void Runner::Record(Finished& done, ClientQueue& queue) {
  lane_client_[done.lane].clear();
  --in_flight_;
  const AttemptResult& result = *done.result;
  bool died = !result.ok() && result.failure().browser_died;
  // An attempt in a browser moved on from neither counts for the current
  // one nor says anything about it. (No lease: no browser started for it.)
  bool in_current = !done.lease.slot_held() || done.lease.in_current();
  done.lease.Return(result.ok(), died);  // a browser it was the last in closes now
  if (env_.attempt_recorded) {
    int restarts = std::max(0, pool_.slots_started() - 1);
    env_.attempt_recorded(died, restarts - restarts_reported_, pool_.current_pid());
    restarts_reported_ = restarts;
  }
  if (store_failed_) {
    Publish(true);
    return;  // the store is gone: nothing more can be recorded
  }
  if (!result.ok()) {
    RecordFailure(done, in_current, queue);
    return;
  }
  const store::WorkItem& item = done.item;
  const std::string& id = item.client.id;
  const AttemptSuccess& s = result.success();
  Status recorded = s.no_slip.empty() ? store_.RecordSuccess(options_.period, id, run_id_, done.attempt, s.download)
                                      : store_.RecordNone(options_.period, id, run_id_, done.attempt, s.no_slip);
  if (!recorded.ok()) {
    store_failed_ = true;
    store_error_ = recorded.message();
    Publish(true);
    return;
  }
  streak_.Success();
  ++clients_unchecked_;
  if (!s.no_slip.empty()) {
    ++totals_.none;
    spdlog::info("{}/{} {} has no slip this period ({} ms, attempt {}): {}", done.position, totals_.planned, id,
                 done.ms, done.attempt, s.no_slip);
    Publish(true);
    return;
  }
  ++totals_.done;
  totals_.bytes += s.download.bytes;
  if (s.printed_html) ++totals_.printed_html;
  if (!s.download.facts.linha_digitavel.empty()) ++totals_.verified;
  if (!s.download.facts.warnings.empty()) ++totals_.with_warnings;
  spdlog::info("{}/{} {} done in {} ms (attempt {}): {} ({} bytes){}", done.position, totals_.planned, id, done.ms,
               done.attempt, s.download.file, s.download.bytes,
               s.download.facts.warnings.empty() ? "" : " - warning: " + s.download.facts.warnings.front());
  Publish(true);
}

void Runner::RecordFailure(const Finished& done, bool in_current, ClientQueue& queue) {
  const store::WorkItem& item = done.item;
  const std::string& id = item.client.id;
  const AttemptFailure& f = done.result->failure();
  std::string where = std::to_string(done.position) + "/" + std::to_string(totals_.planned);
  if (env_.stop_requested() && (f.error.kind == ErrorKind::kInterrupted || f.browser_died)) {
    // Abandoned at the end of the grace period: not the client's fault,
    // so not an attempt. It stays where it was for the next run.
    spdlog::warn("{} {} abandoned after {} ms: the stop's grace period ran out", where, id, done.ms);
    Publish(true);
    return;
  }
  if (f.error.kind == ErrorKind::kHumanNeeded) {
    // A CAPTCHA is the portal's answer to the worker, not to this client:
    // no attempt is counted, and the run stops (a loop of retries is how
    // an account gets locked). The client stays where it was.
    if (human_needed_.empty()) human_needed_ = f.error.message;
    spdlog::error("{} {}: {}", where, id, f.error.message);
    Publish(true);
    return;
  }
  if (f.never_started) {
    // Sent to a browser that had died before the Runner heard of it: not
    // the client's attempt. It goes again in the next browser. The streak
    // still counts it, so browsers that keep dying end the run.
    ++totals_.returned_unstarted;
    streak_.Failure(false, in_current);
    queue.Retry(item, item.attempts, Clock::now());
    positions_[id] = done.position;
    spdlog::warn("{} {} goes back to the queue: {}", where, id, f.error.message);
    Publish(true);
    return;
  }
  auto recorded =
      store_.RecordFailure(options_.period, id, run_id_, done.attempt, f.error.message, done.attempt >= options_.max_attempts);
  if (!recorded.ok()) {
    store_failed_ = true;
    store_error_ = recorded.message();
    Publish(true);
    return;
  }
  // A `retry` meanwhile may have reset the count: the store's word holds.
  int attempt = recorded->attempt;
  ++totals_.failed_attempts;
  streak_.Failure(f.error.kind == ErrorKind::kTimeout, in_current);
  if (recycle_reason_.empty() && !f.browser_died && in_current) {
    if (streak_.BrowserLooksHung()) {
      recycle_reason_ = "the last " + std::to_string(streak_.hung_after()) +
                        " attempts in this browser timed out: it may be hung";
      recycle_as_hung_ = true;
    } else if (streak_.WantsFreshBrowser()) {
      recycle_reason_ = std::to_string(streak_.consecutive()) +
                        " consecutive failures: a fresh browser before the portal is judged down";
    }
  }
  if (f.foreign_slip) ++totals_.foreign_refused;
  if (recorded->gave_up) {
    ++totals_.gave_up;
    spdlog::error("{} {} FAILED for good after {} attempts ({} ms): {}", where, id, attempt, done.ms, f.error.message);
  } else {
    std::uniform_real_distribution<double> jitter(0.0, 1.0);
    auto wait = BackoffDelay(options_.backoff, attempt + 1, jitter(random_));
    queue.Retry(item, attempt, Clock::now() + wait);
    positions_[id] = done.position;
    spdlog::warn("{} {} failed attempt {}/{} in {} ms, retrying in {:.1f} s: {}", where, id, attempt,
                 options_.max_attempts, done.ms, wait.count() / 1000.0, f.error.message);
  }
  ++clients_unchecked_;
  Publish(true);
}

}  // namespace boletos::jobs
