#include "jobs/runner.h"

#include <spdlog/spdlog.h>

#include "jobs/attempt_boundary.h"
#include "jobs/client_queue.h"

namespace boletos::jobs {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string Mb(int64_t kb) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(kb) / 1024.0);
  return buf;
}

}  // namespace

const char* RunEndName(RunEnd end) {
  switch (end) {
    case RunEnd::kFinished: return "finished";
    case RunEnd::kSomeFailed: return "failed";
    case RunEnd::kPortalDown: return "portal_down";
    case RunEnd::kInterrupted: return "interrupted";
    case RunEnd::kStoreFailed: return "failed";
  }
  return "failed";
}

Runner::Runner(RunnerOptions options, store::Store& store, ClientWorker& worker, RunnerEnvironment env)
    : options_(std::move(options)),
      store_(store),
      worker_(worker),
      env_(std::move(env)),
      streak_(options_.max_consecutive_failures, options_.hung_after_timeouts) {
  live_.last_progress = Clock::now();
  int tabs = std::max(1, worker_.tabs());
  tab_busy_.assign(tabs, false);
  tab_threads_.resize(tabs);
  tab_client_.resize(tabs);
}

Runner::~Runner() {
  for (auto& t : tab_threads_) {
    if (t.joinable()) t.join();
  }
}

LiveProgress Runner::Progress() const {
  std::lock_guard<std::mutex> lock(live_mu_);
  return live_;
}

void Runner::Publish(bool progressed) {
  std::string current;
  for (const auto& id : tab_client_) {
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
  int tab = 0;
  while (tab_busy_[tab]) ++tab;
  tab_busy_[tab] = true;
  tab_client_[tab] = item.client.id;
  ++in_flight_;
  {
    std::lock_guard<std::mutex> lock(live_mu_);
    live_.position = std::max(live_.position, position);  // a retry keeps its number
  }
  Publish(false);
  Finished job;
  job.position = position;
  job.attempt = item.attempts + 1;
  job.tab = tab;
  job.generation = generation_;
  job.item = std::move(item);
  auto work = [this](Finished job) {
    auto t0 = Clock::now();
    job.result.emplace(AttemptWithoutThrowing(worker_, job.item, job.attempt, job.tab, job.generation, env_.redact));
    job.ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
    {
      std::lock_guard<std::mutex> lock(finished_mu_);
      finished_.push_back(std::move(job));
    }
    finished_cv_.notify_one();
  };
  if (tab_busy_.size() == 1) {
    work(std::move(job));  // one tab: no thread to hop through
    return;
  }
  if (tab_threads_[tab].joinable()) tab_threads_[tab].join();  // its last attempt has finished
  tab_threads_[tab] = std::thread(work, std::move(job));
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
               options_.recycle_every,
               tab_busy_.size() > 1 ? ", " + std::to_string(tab_busy_.size()) + " tabs" : "");

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
    // One tab: nothing waits for the next dispatch, so the memory check
    // comes first and its recycle decision applies to the next client.
    if (tab_busy_.size() == 1) CheckMemoryAfterClients();

    if (!stopping) {
      if (store_failed_) {
        stopping = true;
      } else if (streak_.PortalLooksDown()) {
        end = RunEnd::kPortalDown;
        stopping = true;
      } else if (env_.stop_requested()) {
        end = RunEnd::kInterrupted;
        stopping = true;
      }
    }
    if (in_flight_ == 0) {
      if (browser_died_) {
        successes_in_browser_ = 0;
        streak_.BrowserReplaced();
      }
      browser_died_ = false;  // every tab is back: the next attempt starts a fresh browser
      if (!recycle_reason_.empty() && !stopping) {
        if (!queue.has_more()) {
          // The run's last client is done (every attempt is recorded here,
          // so a retry still due would show): the browser goes at shutdown,
          // no recycle to count. The budget it took would keep the loop
          // below from finding the queue empty, so the run ends here.
          CheckMemoryAfterClients();
          break;
        }
        successes_in_browser_ = 0;
        ++totals_.recycles;
        streak_.BrowserReplaced();
        worker_.Recycle(recycle_reason_);
        if (recycle_as_hung_) ++totals_.hung_browsers_replaced;
        recycle_as_hung_ = false;
        recycle_reason_.clear();
      }
    }
    if (stopping) {
      CheckMemoryAfterClients();
      if (in_flight_ == 0) break;
      WaitForFinished(Clock::time_point::max());
      continue;
    }

    Move move = MoveOnIfDue(queue);
    // Keep every tab busy, unless the browser must first be replaced.
    Clock::time_point ready_at = Clock::time_point::max();
    bool queue_done = false;
    while (in_flight_ < static_cast<int>(tab_busy_.size()) && recycle_reason_.empty() && !browser_died_ &&
           !BrowserBudgetTaken() && !env_.stop_requested()) {
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
      if (tab_busy_.size() == 1) break;  // it has finished already: record it first
    }
    // Several tabs: a tab that came back got its next client above, before
    // the memory reading (a /proc walk that took 5-20 ms on a busy machine),
    // so no tab idles while the Runner reads. A recycle it calls for starts
    // once the tabs now in flight are back.
    CheckMemoryAfterClients();
    if (store_failed_ || env_.stop_requested()) continue;
    if (ShouldPrepareNextBrowser(queue)) worker_.PrepareNextBrowser();
    // The dispatch above may have taken the browser's last room while a tab
    // is still free (two attempts came back at once, or the worker counted
    // a download the Runner had not recorded yet): that tab moves on now,
    // not once one of the browser's last clients ends (a held slip kept it
    // idle for a whole 30 s step).
    if (move != Move::kMoved) {
      move = MoveOnIfDue(queue);
      if (move == Move::kMoved) continue;
    }
    bool move_refused = move == Move::kRefused;
    if (in_flight_ > 0) {
      // Returns at once if an attempt has finished already (an unrecorded
      // attempt still counts in in_flight_), else at the first backoff's end.
      // A move the worker refused (a tab held its lock for a moment) is
      // asked again shortly, not only when the next attempt ends.
      WaitForFinished(move_refused ? std::min(ready_at, Clock::now() + std::chrono::milliseconds(20)) : ready_at);
      continue;
    }
    if (!recycle_reason_.empty() || browser_died_) continue;
    if (queue_done) break;
    // Only clients in backoff are left: sleep until the first is due (a stop ends it).
    if (ready_at != Clock::time_point::max()) env_.wait_until(ready_at);
  }
  if (store_failed_) end = RunEnd::kStoreFailed;
  else if (end == RunEnd::kFinished && totals_.gave_up > 0) end = RunEnd::kSomeFailed;

  summary_ = Summary(end, Seconds(Clock::now() - started));
  {
    std::lock_guard<std::mutex> lock(live_mu_);
    live_.finished = true;
  }
  return end;
}

std::string Runner::Summary(RunEnd end, double took) const {
  char pace[64];
  std::snprintf(pace, sizeof pace, "%.1f s (%.2f s per download)", took,
                totals_.done > 0 ? took / totals_.done : 0.0);
  std::string counts = std::to_string(totals_.done) + " done, " + std::to_string(totals_.gave_up) +
                       " failed after all attempts, " + std::to_string(totals_.failed_attempts) +
                       " failed attempts, " + std::to_string(totals_.verified) + " slips verified, " +
                       std::to_string(totals_.with_warnings) + " with warnings, " +
                       std::to_string(totals_.foreign_refused) + " foreign slips refused, " +
                       std::to_string(totals_.recycles) + " browser recycles, peak browser PSS " +
                       Mb(totals_.peak_browser_pss_kb) + ", peak worker RSS " + Mb(totals_.peak_worker_rss_kb) +
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
  }
  return head + counts;
}

void Runner::Record(Finished& done, ClientQueue& queue) {
  tab_busy_[done.tab] = false;
  tab_client_[done.tab].clear();
  --in_flight_;
  // An attempt of the browser moved on from: it neither counts for the
  // current one nor says anything about it.
  bool retired = done.generation != generation_;
  if (retired && --retired_in_flight_ == 0) worker_.CloseRetiredBrowser();
  const store::WorkItem& item = done.item;
  const std::string& id = item.client.id;
  int attempt = done.attempt;
  long ms = done.ms;
  const AttemptResult& result = *done.result;
  std::string where = std::to_string(done.position) + "/" + std::to_string(totals_.planned);
  if (store_failed_) {
    Publish(true);
    return;  // the store is gone: nothing more can be recorded
  }

  if (result.ok()) {
    const AttemptSuccess& s = result.success();
    Status recorded = store_.RecordSuccess(options_.period, id, run_id_, attempt, s.download);
    if (!recorded.ok()) {
      store_failed_ = true;
      store_error_ = recorded.message();
      Publish(true);
      return;
    }
    ++totals_.done;
    if (!retired) ++successes_in_browser_;
    totals_.bytes += s.download.bytes;
    if (s.printed_html) ++totals_.printed_html;
    if (!s.download.facts.linha_digitavel.empty()) ++totals_.verified;
    if (!s.download.facts.warnings.empty()) ++totals_.with_warnings;
    streak_.Success();
    spdlog::info("{} {} done in {} ms (attempt {}): {} ({} bytes){}", where, id, ms, attempt, s.download.file,
                 s.download.bytes,
                 s.download.facts.warnings.empty() ? "" : " - warning: " + s.download.facts.warnings.front());
  } else {
    const AttemptFailure& f = result.failure();
    if (f.browser_died && !retired) browser_died_ = true;
    if (env_.stop_requested() && (f.error.kind == ErrorKind::kInterrupted || f.browser_died)) {
      // Abandoned at the end of the grace period: not the client's fault,
      // so not an attempt. It stays where it was for the next run.
      spdlog::warn("{} {} abandoned after {} ms: the stop's grace period ran out", where, id, ms);
      Publish(true);
      return;
    }
    auto recorded =
        store_.RecordFailure(options_.period, id, run_id_, attempt, f.error.message, attempt >= options_.max_attempts);
    if (!recorded.ok()) {
      store_failed_ = true;
      store_error_ = recorded.message();
      Publish(true);
      return;
    }
    // A `retry` meanwhile may have reset the count: the store's word holds.
    attempt = recorded->attempt;
    bool gave_up = recorded->gave_up;
    ++totals_.failed_attempts;
    streak_.Failure(f.error.kind == ErrorKind::kTimeout, !retired);
    if (recycle_reason_.empty() && !f.browser_died && !retired) {
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
    if (gave_up) {
      ++totals_.gave_up;
      spdlog::error("{} {} FAILED for good after {} attempts ({} ms): {}", where, id, attempt, ms, f.error.message);
    } else {
      std::uniform_real_distribution<double> jitter(0.0, 1.0);
      auto wait = BackoffDelay(options_.backoff, attempt + 1, jitter(random_));
      queue.Retry(item, attempt, Clock::now() + wait);
      positions_[id] = done.position;
      spdlog::warn("{} {} failed attempt {}/{} in {} ms, retrying in {:.1f} s: {}", where, id, attempt,
                   options_.max_attempts, ms, wait.count() / 1000.0, f.error.message);
    }
  }
  ++clients_unchecked_;
  Publish(true);
}

void Runner::CheckMemoryAfterClients() {
  for (; clients_unchecked_ > 0; --clients_unchecked_) AfterClient();
}

bool Runner::BrowserBudgetTaken() const {
  // With K tabs the browser takes no more than --recycle-every downloads
  // either: the attempts in flight count against it, as they may all succeed.
  return options_.recycle_every > 0 && worker_.downloads_since_start() + InFlightHere() >= options_.recycle_every;
}

bool Runner::MoveDue(const ClientQueue& queue) const {
  // Only with the next browser started ahead (the worker checks), so the
  // memory budget had room for two (ShouldPrepareNextBrowser), and one move
  // at a time: never more than two browsers. A recycle for memory still
  // waits for every tab to be out.
  if (tab_busy_.size() == 1 || options_.recycle_every <= 0 || !recycle_reason_.empty() || browser_died_ ||
      retired_in_flight_ > 0) {
    return false;
  }
  bool tab_free = in_flight_ < static_cast<int>(tab_busy_.size());
  return tab_free && InFlightHere() > 0 && RoomInBrowser() <= 0 && queue.has_more();
}

Runner::Move Runner::MoveOnIfDue(const ClientQueue& queue) {
  if (!MoveDue(queue)) return Move::kNotDue;
  // A refusal is mostly a moment's (a tab held the worker's lock, the next
  // browser is still logging in): the caller asks again soon. Asking costs
  // a try-lock, and this lasts only while the browser's last clients run.
  if (!worker_.MoveToNextBrowser(EveryNDownloads())) return Move::kRefused;
  ++totals_.recycles;
  ++generation_;
  retired_in_flight_ = in_flight_;
  successes_in_browser_ = 0;
  streak_.BrowserReplaced();
  return Move::kMoved;
}

std::string Runner::EveryNDownloads() const { return "every " + std::to_string(options_.recycle_every) + " downloads"; }

bool Runner::ShouldPrepareNextBrowser(const ClientQueue& queue) const {
  // With one tab nothing idles while the next browser starts, and --tabs 1
  // is the frugal mode: it never runs two browsers.
  if (tab_busy_.size() == 1 || InFlightHere() == 0 || browser_died_ || worker_.browser_pid() <= 0) return false;
  if (retired_in_flight_ > 0) return false;  // a second browser still runs
  // When this browser has room for at most one more client per tab: a
  // round ahead, because a browser takes 0.5-0.7 s
  // to launch, open its tabs and log in while the old one is busy, and a
  // tab moves on to it as soon as the old one's room is taken (MoveOnIfDue).
  int tabs = static_cast<int>(tab_busy_.size());
  int room = RoomInBrowser();
  if (recycle_reason_.empty() && (options_.recycle_every <= 0 || room > tabs)) return false;
  // Not when the clients still to come fit in this browser: the run ends with it.
  if (queue.remaining() <= (recycle_reason_.empty() ? room : 0)) return false;
  // Two browsers for a moment: only if the last reading plus what one more
  // browser adds (see started_browser_pss_kb_) stays under the soft limit.
  if (started_browser_pss_kb_ <= 0) return false;
  int64_t with_next = last_memory_.worker_rss_kb + last_memory_.browser_pss_kb + started_browser_pss_kb_;
  if (with_next > SoftLimitKb(last_memory_)) {
    spdlog::debug("the next browser does not start ahead: {} with it would pass the soft limit {}", Mb(with_next),
                  Mb(SoftLimitKb(last_memory_)));
    return false;
  }
  return true;
}

std::vector<pid_t> Runner::BrowserGroups() const {
  std::vector<pid_t> groups;
  for (pid_t pid : {worker_.browser_pid(), worker_.next_browser_pid(), worker_.retired_browser_pid()}) {
    if (pid > 0) groups.push_back(pid);
  }
  return groups;
}

int64_t Runner::MemoryLimitKb(const MemoryReading& m) const {
  // The limit in force: --memory-limit, or the container's if lower.
  int64_t limit_kb = options_.memory_limit_mb * 1024;
  if (m.cgroup_limit_kb > 0 && m.cgroup_limit_kb < limit_kb) limit_kb = m.cgroup_limit_kb;
  return limit_kb;
}

int64_t Runner::SoftLimitKb(const MemoryReading& m) const {
  return static_cast<int64_t>(static_cast<double>(MemoryLimitKb(m)) * options_.soft_limit_fraction);
}

bool Runner::OverSoftLimit(const MemoryReading& m) const {
  return worker_.browser_pid() > 0 && m.browser_pss_kb + m.worker_rss_kb > SoftLimitKb(m);
}

void Runner::AfterClient() {
  ++clients_finished_;
  bool log_due = options_.memory_log_every > 0 && clients_finished_ % options_.memory_log_every == 0;
  std::vector<pid_t> groups = BrowserGroups();
  MemoryReading m = env_.sample_memory(groups, log_due);
  // While a browser retires the readings hold it too, and it closes after
  // its last clients (fewer than the tabs): memory is judged after that.
  // Judged now, the sum of both would recycle the browser just taken over.
  bool judge_memory = retired_in_flight_ == 0;
  if (m.browser_pss_estimated && recycle_reason_.empty() && judge_memory && OverSoftLimit(m)) {
    m = env_.sample_memory(groups, true);  // an estimate errs high: confirm before recycling
  }
  if (!m.browser_pss_estimated) {
    totals_.peak_browser_pss_kb = std::max(totals_.peak_browser_pss_kb, m.browser_pss_kb);
    // Its first reading alone: not one of the next browser between the
    // recycle and its take-over (only one tab logged in, nothing loaded).
    if (groups.size() == 1 && groups[0] == worker_.browser_pid() && groups[0] != sized_browser_) {
      started_browser_pss_kb_ = std::max(started_browser_pss_kb_, m.browser_pss_own_kb);
      sized_browser_ = groups[0];
    }
  }
  last_memory_ = m;
  totals_.peak_worker_rss_kb = std::max(totals_.peak_worker_rss_kb, m.worker_rss_kb);
  {
    std::lock_guard<std::mutex> lock(live_mu_);
    live_.memory = m;
  }
  if (log_due) {
    spdlog::info("{}", m.line);
    store::MemorySample sample;
    sample.run_id = run_id_;
    sample.clients_done = totals_.done;
    sample.worker_rss_kb = m.worker_rss_kb;
    sample.browser_pss_kb = m.browser_pss_kb;
    sample.cgroup_usage_kb = m.cgroup_usage_kb;
    sample.cgroup_limit_kb = m.cgroup_limit_kb;
    if (Status s = store_.RecordMemorySample(sample); !s.ok()) spdlog::warn("memory sample not stored: {}", s.message());
  }
  if (!recycle_reason_.empty()) return;  // already on its way

  if (judge_memory && OverSoftLimit(m)) {
    recycle_reason_ = "memory: browser PSS " + Mb(m.browser_pss_kb) + " + worker RSS " + Mb(m.worker_rss_kb) +
                      " is over the soft limit " + Mb(SoftLimitKb(m)) + " (" +
                      std::to_string(static_cast<int>(options_.soft_limit_fraction * 100)) + "% of " +
                      Mb(MemoryLimitKb(m)) + ")";
  } else if (options_.recycle_every > 0 && worker_.downloads_since_start() >= options_.recycle_every) {
    recycle_reason_ = EveryNDownloads();
  }
}

}  // namespace boletos::jobs
