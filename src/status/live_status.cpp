#include "status/live_status.h"

#include <algorithm>

namespace boletos::status {

const char* LoopPhaseName(LoopPhase phase) {
  switch (phase) {
    case LoopPhase::kStarting: return "starting";
    case LoopPhase::kRunning: return "running";
    case LoopPhase::kWaiting: return "waiting";
    case LoopPhase::kStopping: return "stopping";
  }
  return "starting";
}

void AddTotals(jobs::RunTotals& a, const jobs::RunTotals& b) {
  // The counts add up across cycles; the peaks are the larger one.
  using T = jobs::RunTotals;
  for (int T::*count : {&T::planned, &T::done, &T::none, &T::gave_up, &T::failed_attempts, &T::foreign_refused,
                        &T::printed_html, &T::verified, &T::with_warnings, &T::recycles, &T::hung_browsers_replaced}) {
    a.*count += b.*count;
  }
  a.bytes += b.bytes;
  a.peak_browser_pss_kb = std::max(a.peak_browser_pss_kb, b.peak_browser_pss_kb);
  a.peak_worker_rss_kb = std::max(a.peak_worker_rss_kb, b.peak_worker_rss_kb);
}

LiveStatus::LiveStatus(int64_t memory_limit_mb, std::function<Clock::time_point()> now) : now_(std::move(now)) {
  s_.memory_limit_kb = memory_limit_mb * 1024;
  s_.phase_since = now_();
}

void LiveStatus::SetPhase(LoopPhase phase) {
  s_.phase = phase;
  s_.phase_since = now_();
}

void LiveStatus::CycleStarting(const std::string& period) {
  std::lock_guard<std::mutex> lock(mu_);
  if (s_.phase == LoopPhase::kStopping) return;  // a stop is final
  ++s_.cycles;
  s_.period = period;
  SetPhase(LoopPhase::kStarting);
}

void LiveStatus::Waiting(Clock::time_point next_run) {
  std::lock_guard<std::mutex> lock(mu_);
  if (s_.phase == LoopPhase::kStopping) return;
  s_.next_run = next_run;
  SetPhase(LoopPhase::kWaiting);
}

void LiveStatus::Stopping() {
  std::lock_guard<std::mutex> lock(mu_);
  SetPhase(LoopPhase::kStopping);
}

void LiveStatus::WatchStop(std::function<bool()> stop_requested) {
  std::lock_guard<std::mutex> lock(mu_);
  stop_requested_ = std::move(stop_requested);
}

void LiveStatus::Attach(int64_t run_id, const std::string& period, std::function<jobs::LiveProgress()> progress) {
  std::lock_guard<std::mutex> lock(mu_);
  progress_ = std::move(progress);
  s_.run_id = run_id;
  s_.period = period;
  s_.run_active = true;
  s_.progress = jobs::LiveProgress{};
  s_.clients_started = 0;
  run_started_ = now_();
  if (s_.phase != LoopPhase::kStopping) SetPhase(LoopPhase::kRunning);
}

void LiveStatus::Detach() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!progress_) return;
  s_.progress = progress_();  // the run's final numbers stay visible
  s_.clients_started = s_.progress.position;
  progress_ = nullptr;
  s_.run_active = false;
  s_.run_duration = now_() - run_started_;
  AddTotals(finished_totals_, s_.progress.totals);
}

void LiveStatus::AttemptEnded(bool browser_died, int new_restarts, pid_t browser_pid) {
  std::lock_guard<std::mutex> lock(mu_);
  s_.browser_deaths_in_a_row = browser_died ? s_.browser_deaths_in_a_row + 1 : 0;
  s_.browser_restarts += new_restarts;
  s_.browser_pid = browser_pid;
}

LiveSnapshot LiveStatus::Read() const {
  // Runner::Progress() is called under mu_, which Detach() also takes: the
  // Runner cannot be destroyed mid-call. The Runner never calls into
  // LiveStatus while holding its own lock, so the order cannot deadlock.
  std::lock_guard<std::mutex> lock(mu_);
  LiveSnapshot s = s_;
  s.now = now_();
  if (s.phase != LoopPhase::kStopping && stop_requested_ && stop_requested_()) s.phase = LoopPhase::kStopping;
  if (progress_) {
    s.progress = progress_();
    s.clients_started = s.progress.position;
    s.run_duration = s.now - run_started_;
    AddTotals(s.cumulative, s.progress.totals);
  }
  AddTotals(s.cumulative, finished_totals_);
  return s;
}

RunAttachment::RunAttachment(LiveStatus* live, int64_t run_id, const std::string& period, const jobs::Runner& runner)
    : live_(live) {
  if (live_) live_->Attach(run_id, period, [&runner] { return runner.Progress(); });
}

RunAttachment::~RunAttachment() {
  if (live_) live_->Detach();
}

}  // namespace boletos::status
