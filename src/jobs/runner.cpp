#include "jobs/runner.h"

#include <climits>

#include <spdlog/spdlog.h>

#include "core/units.h"
#include "jobs/attempt_boundary.h"
#include "jobs/client_queue.h"

namespace boletos::jobs {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

Runner::Runner(RunnerOptions options, store::Store& store, SlotLauncher& launcher, RunnerEnvironment env)
    : options_(std::move(options)),
      store_(store),
      env_(std::move(env)),
      pool_(launcher),
      streak_(options_.max_consecutive_failures, options_.hung_after_timeouts) {
  live_.last_progress = Clock::now();
  int lanes = std::max(1, options_.tabs);
  lane_client_.resize(lanes);
  lane_threads_.resize(lanes);
}

Runner::~Runner() {
  for (auto& t : lane_threads_) {
    if (t.joinable()) t.join();
  }
}

LiveProgress Runner::Progress() const {
  std::lock_guard<std::mutex> lock(live_mu_);
  return live_;
}

void Runner::Publish(bool progressed) {
  std::string current;
  for (const auto& id : lane_client_) {
    if (id.empty()) continue;
    current += (current.empty() ? "" : ", ") + id;
  }
  std::lock_guard<std::mutex> lock(live_mu_);
  live_.run_id = run_id_;
  live_.totals = totals_;
  live_.current_client = current;
  if (progressed) live_.last_progress = Clock::now();
}

void Runner::Dispatch(store::WorkItem item, int position) {
  int lane = 0;
  while (!lane_client_[lane].empty()) ++lane;
  lane_client_[lane] = item.client.id;
  ++in_flight_;
  {
    std::lock_guard<std::mutex> lock(live_mu_);
    live_.position = std::max(live_.position, position);  // a retry keeps its number
  }
  Publish(false);
  Finished job;
  job.position = position;
  job.attempt = item.attempts + 1;
  job.lane = lane;
  job.item = std::move(item);
  bool fresh = !pool_.has_current();
  if (Status started = pool_.EnsureCurrent(); !started.ok()) {
    // No browser for it: a failed attempt, with the reason it could not start.
    std::string message = env_.redact ? env_.redact(started.message()) : started.message();
    job.result.emplace(AttemptFailure{MakeError(started.kind(), message), false, BrowserGone(started.kind())});
    Finish(std::move(job));
    return;
  }
  if (fresh && pool_.slots_started() > 1) streak_.BrowserReplaced();
  job.lease = pool_.LeaseTab(lane);
  auto work = [this](Finished job) {
    auto t0 = Clock::now();
    job.result.emplace(AttemptWithoutThrowing(job.lease.slot(), job.lane, job.item, job.attempt, env_.redact));
    job.ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
    Finish(std::move(job));
  };
  if (lanes() == 1) {
    work(std::move(job));  // one lane: no thread to hop through
    return;
  }
  if (lane_threads_[lane].joinable()) lane_threads_[lane].join();  // its last attempt has finished
  lane_threads_[lane] = std::thread(work, std::move(job));
}

void Runner::Finish(Finished job) {
  {
    std::lock_guard<std::mutex> lock(finished_mu_);
    finished_.push_back(std::move(job));
  }
  finished_cv_.notify_one();
}

void Runner::WaitForFinished(Clock::time_point until) {
  std::unique_lock<std::mutex> lock(finished_mu_);
  finished_cv_.wait_until(lock, until, [this] { return !finished_.empty(); });
}

RunEnd Runner::Run(int64_t run_id) {
  run_id_ = run_id;
  auto started = Clock::now();
  ClientQueue queue(store_, options_.period, options_.max_attempts, options_.batch);
  if (Status planned = queue.Plan(); !planned.ok()) {
    summary_ = "run " + std::to_string(run_id) + " stopped: " + planned.message();
    spdlog::error("{}", summary_);
    return RunEnd::kStoreFailed;
  }
  totals_.planned = queue.planned();
  spdlog::info("run {} started: period {}, {} clients to do{}, up to {} attempts each, new browser every {} downloads{}",
               run_id, options_.period, totals_.planned,
               options_.batch > 0 ? " (batch " + std::to_string(options_.batch) + ")" : "", options_.max_attempts,
               options_.recycle_every, lanes() > 1 ? ", " + std::to_string(lanes()) + " tabs" : "");

  RunEnd end = RunEnd::kFinished;
  bool stopping = false;
  int position = 0;
  while (true) {
    std::deque<Finished> finished;
    {
      std::lock_guard<std::mutex> lock(finished_mu_);
      finished.swap(finished_);
    }
    for (Finished& done : finished) Record(done, queue);
    finished.clear();  // the leases go back before anything below looks at the browser
    // One lane: nothing waits for the next dispatch, so the memory check
    // comes first and its recycle decision applies to the next client.
    if (lanes() == 1) CheckMemoryAfterClients();

    if (!stopping) {
      if (store_failed_) {
        stopping = true;
      } else if (!human_needed_.empty()) {
        end = RunEnd::kHumanNeeded;
        stopping = true;
      } else if (streak_.PortalLooksDown()) {
        end = RunEnd::kPortalDown;
        stopping = true;
      } else if (env_.stop_requested()) {
        end = RunEnd::kInterrupted;
        stopping = true;
      }
    }
    if (in_flight_ == 0 && !recycle_reason_.empty() && !stopping) {
      if (!queue.has_more()) {
        // The run's last client is done (every attempt is recorded here,
        // so a retry still due would show): the browser goes at shutdown,
        // no recycle to count. The budget it took would keep the loop
        // below from finding the queue empty, so the run ends here.
        CheckMemoryAfterClients();
        break;
      }
      ++totals_.recycles;
      if (recycle_as_hung_) ++totals_.hung_browsers_replaced;
      pool_.Recycle(recycle_reason_);
      recycle_as_hung_ = false;
      recycle_reason_.clear();
    }
    if (stopping) {
      CheckMemoryAfterClients();
      if (in_flight_ == 0) break;
      WaitForFinished(Clock::time_point::max());
      continue;
    }

    bool moved = MoveOnIfDue(queue);
    // Keep every lane busy, unless the browser must first be replaced (a
    // dead one: once its last lease is back, the next dispatch starts one).
    Clock::time_point ready_at = Clock::time_point::max();
    bool queue_done = false;
    while (in_flight_ < lanes() && recycle_reason_.empty() && !pool_.dead() && RoomInBrowser() > 0 &&
           !env_.stop_requested()) {
      auto next = queue.TryNext(&ready_at);
      if (!next.ok()) {
        store_failed_ = true;
        store_error_ = next.message();
        break;
      }
      if (!next->has_value()) {
        queue_done = ready_at == Clock::time_point::max();
        break;
      }
      // "n/total" counts clients, not attempts: a retry keeps its number.
      store::WorkItem item = std::move(**next);
      auto known = positions_.find(item.client.id);
      int n = known != positions_.end() ? known->second : ++position;
      if (known != positions_.end()) positions_.erase(known);
      Dispatch(std::move(item), n);
      if (lanes() == 1) break;  // it has finished already: record it first
    }
    // Several lanes: a lane that came back got its next client above,
    // before the memory reading (a /proc walk that took 5-20 ms on a busy
    // machine), so no lane idles while the Runner reads. A recycle it calls
    // for starts once the lanes now in flight are back.
    CheckMemoryAfterClients();
    if (store_failed_ || env_.stop_requested()) continue;
    if (ShouldPrepareNextBrowser(queue)) pool_.StartAhead();
    // The dispatch above may have taken the browser's last room while a
    // lane is still free (two attempts came back at once): that lane moves
    // on now, not once one of the browser's last clients ends (a held slip
    // kept it idle for a whole 30 s step).
    if (!moved && MoveOnIfDue(queue)) continue;
    if (in_flight_ > 0) {
      // Returns at once if an attempt has finished already (an unrecorded
      // attempt still counts in in_flight_), else at the first backoff's end.
      WaitForFinished(ready_at);
      continue;
    }
    if (!recycle_reason_.empty()) continue;
    if (queue_done) break;
    // Only clients in backoff are left: sleep until the first is due (a stop ends it).
    if (ready_at != Clock::time_point::max()) env_.wait_until(ready_at);
  }
  if (store_failed_) end = RunEnd::kStoreFailed;
  else if (end == RunEnd::kFinished && totals_.gave_up > 0) end = RunEnd::kSomeFailed;

  for (auto& t : lane_threads_) {
    if (t.joinable()) t.join();
  }
  pool_.Shutdown();  // every browser is closed before the run is recorded as over
  totals_.browsers_started = pool_.slots_started();
  totals_.browsers_prepared_ahead = pool_.slots_prepared_ahead();
  summary_ = Summary(end, Seconds(Clock::now() - started));
  {
    std::lock_guard<std::mutex> lock(live_mu_);
    live_.finished = true;
    live_.totals = totals_;
  }
  return end;
}

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

int Runner::RoomInBrowser() const {
  if (options_.recycle_every <= 0) return INT_MAX;
  return options_.recycle_every - pool_.succeeded() - pool_.leased();
}

bool Runner::MoveOnIfDue(const ClientQueue& queue) {
  // Only with the next browser started ahead, so the memory budget had
  // room for two (ShouldPrepareNextBrowser), and one move at a time: never
  // more than two browsers. A recycle for memory still waits for every
  // lane to be out.
  bool lane_free = in_flight_ < lanes();
  bool due = lanes() > 1 && options_.recycle_every > 0 && recycle_reason_.empty() && !pool_.dead() &&
             !pool_.moving() && pool_.started_ahead() && lane_free && pool_.leased() > 0 && RoomInBrowser() <= 0 &&
             queue.has_more();
  if (!due) return false;
  ++totals_.recycles;
  pool_.MoveOn(EveryNDownloads());
  if (pool_.has_current()) streak_.BrowserReplaced();
  return true;
}

std::string Runner::EveryNDownloads() const { return "every " + std::to_string(options_.recycle_every) + " downloads"; }

}  // namespace boletos::jobs
