#include "jobs/runner.h"

#include <spdlog/spdlog.h>

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
    : options_(std::move(options)), store_(store), worker_(worker), env_(std::move(env)) {
  live_.last_progress = Clock::now();
}

LiveProgress Runner::Progress() const {
  std::lock_guard<std::mutex> lock(live_mu_);
  return live_;
}

void Runner::Publish(const std::string& current) {
  std::lock_guard<std::mutex> lock(live_mu_);
  live_.run_id = run_id_;
  live_.totals = totals_;
  live_.current_client = current;
  if (current.empty()) live_.last_progress = Clock::now();
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
  spdlog::info("run {} started: period {}, {} clients to do{}, up to {} attempts each, new browser every {} downloads",
               run_id, options_.period, totals_.planned,
               options_.batch > 0 ? " (batch " + std::to_string(options_.batch) + ")" : "", options_.max_attempts,
               options_.recycle_every);

  RunEnd end = RunEnd::kFinished;
  int position = 0;
  while (true) {
    if (env_.stop_requested()) {
      end = RunEnd::kInterrupted;
      break;
    }
    auto next = queue.Next(env_.wait_until);
    if (!next.ok()) {
      store_failed_ = true;
      store_error_ = next.message();
      break;
    }
    if (!next->has_value()) {
      if (env_.stop_requested()) end = RunEnd::kInterrupted;
      break;
    }
    const store::WorkItem& item = **next;
    // "n/total" counts clients, not attempts: a retry keeps its number.
    auto known = positions_.find(item.client.id);
    int n = known != positions_.end() ? known->second : ++position;
    Attempt(item, n, queue);
    if (known != positions_.end() && !retrying_now_) positions_.erase(known);
    if (store_failed_) break;
    if (consecutive_failures_ >= options_.max_consecutive_failures) {
      end = RunEnd::kPortalDown;
      break;
    }
  }
  if (store_failed_) end = RunEnd::kStoreFailed;
  else if (end == RunEnd::kFinished && totals_.gave_up > 0) end = RunEnd::kSomeFailed;

  double took = Seconds(Clock::now() - started);
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
  std::string head = "run " + std::to_string(run_id) + " ";
  switch (end) {
    case RunEnd::kFinished: summary_ = head + "finished normally: " + counts; break;
    case RunEnd::kSomeFailed: summary_ = head + "finished normally, some clients failed: " + counts; break;
    case RunEnd::kPortalDown:
      summary_ = head + "stopped: the portal looks down (" + std::to_string(consecutive_failures_) +
                 " consecutive failures): " + counts;
      break;
    case RunEnd::kInterrupted:
      summary_ = head + "interrupted by " + (env_.stop_reason ? env_.stop_reason() : std::string("a stop request")) +
                 ", stopped cleanly: " + counts;
      break;
    case RunEnd::kStoreFailed: summary_ = head + "stopped: the database failed: " + store_error_ + ": " + counts; break;
  }
  {
    std::lock_guard<std::mutex> lock(live_mu_);
    live_.finished = true;
  }
  return end;
}

void Runner::Attempt(const store::WorkItem& item, int position, ClientQueue& queue) {
  const std::string& id = item.client.id;
  int attempt = item.attempts + 1;
  Publish(id);
  retrying_now_ = false;
  auto t0 = Clock::now();
  AttemptResult result = worker_.Attempt(item, attempt);
  long ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
  std::string where = std::to_string(position) + "/" + std::to_string(totals_.planned);

  if (result.ok()) {
    const AttemptSuccess& s = result.success();
    Status recorded = store_.RecordSuccess(options_.period, id, run_id_, attempt, s.download);
    if (!recorded.ok()) {
      store_failed_ = true;
      store_error_ = recorded.message();
      return;
    }
    ++totals_.done;
    totals_.bytes += s.download.bytes;
    if (s.printed_html) ++totals_.printed_html;
    if (!s.download.facts.linha_digitavel.empty()) ++totals_.verified;
    if (!s.download.facts.warnings.empty()) ++totals_.with_warnings;
    consecutive_failures_ = 0;
    spdlog::info("{} {} done in {} ms (attempt {}): {} ({} bytes){}", where, id, ms, attempt, s.download.file,
                 s.download.bytes,
                 s.download.facts.warnings.empty() ? "" : " - warning: " + s.download.facts.warnings.front());
  } else {
    const AttemptFailure& f = result.failure();
    if (env_.stop_requested() && (f.error.kind == ErrorKind::kInterrupted || f.browser_died)) {
      // Abandoned at the end of the grace period: not the client's fault,
      // so not an attempt. It stays where it was for the next run.
      spdlog::warn("{} {} abandoned after {} ms: the stop's grace period ran out", where, id, ms);
      Publish("");
      return;
    }
    bool gave_up = attempt >= options_.max_attempts;
    Status recorded = store_.RecordFailure(options_.period, id, run_id_, attempt, f.error.message, gave_up);
    if (!recorded.ok()) {
      store_failed_ = true;
      store_error_ = recorded.message();
      return;
    }
    ++totals_.failed_attempts;
    ++consecutive_failures_;
    if (f.foreign_slip) ++totals_.foreign_refused;
    if (gave_up) {
      ++totals_.gave_up;
      spdlog::error("{} {} FAILED for good after {} attempts ({} ms): {}", where, id, attempt, ms, f.error.message);
    } else {
      std::uniform_real_distribution<double> jitter(0.0, 1.0);
      auto wait = BackoffDelay(options_.backoff, attempt + 1, jitter(random_));
      queue.Retry(item, attempt, Clock::now() + wait);
      positions_[id] = position;
      retrying_now_ = true;
      spdlog::warn("{} {} failed attempt {}/{} in {} ms, retrying in {:.1f} s: {}", where, id, attempt,
                   options_.max_attempts, ms, wait.count() / 1000.0, f.error.message);
    }
  }
  AfterClient(position);
  Publish("");
}

void Runner::AfterClient(int position) {
  ++clients_finished_;
  (void)position;
  MemoryReading m = env_.sample_memory(worker_.browser_pid());
  totals_.peak_browser_pss_kb = std::max(totals_.peak_browser_pss_kb, m.browser_pss_kb);
  totals_.peak_worker_rss_kb = std::max(totals_.peak_worker_rss_kb, m.worker_rss_kb);
  {
    std::lock_guard<std::mutex> lock(live_mu_);
    live_.memory = m;
  }
  if (options_.memory_log_every > 0 && clients_finished_ % options_.memory_log_every == 0) {
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

  // The limit in force: --memory-limit, or the container's if lower.
  int64_t limit_kb = options_.memory_limit_mb * 1024;
  if (m.cgroup_limit_kb > 0 && m.cgroup_limit_kb < limit_kb) limit_kb = m.cgroup_limit_kb;
  auto soft_kb = static_cast<int64_t>(static_cast<double>(limit_kb) * options_.soft_limit_fraction);
  if (worker_.browser_pid() > 0 && m.browser_pss_kb + m.worker_rss_kb > soft_kb) {
    ++totals_.recycles;
    worker_.Recycle("memory: browser PSS " + Mb(m.browser_pss_kb) + " + worker RSS " + Mb(m.worker_rss_kb) +
                    " is over the soft limit " + Mb(soft_kb) + " (" +
                    std::to_string(static_cast<int>(options_.soft_limit_fraction * 100)) + "% of " + Mb(limit_kb) +
                    ")");
  } else if (options_.recycle_every > 0 && worker_.downloads_since_start() >= options_.recycle_every) {
    ++totals_.recycles;
    worker_.Recycle("every " + std::to_string(options_.recycle_every) + " downloads");
  }
}

}  // namespace boletos::jobs
