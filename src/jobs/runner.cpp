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
