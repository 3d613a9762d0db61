#include "report/status_view.h"

#include <climits>
#include <sstream>

namespace boletos::report {
namespace {

using Json = nlohmann::json;

Json OrNull(const std::string& s) { return s.empty() ? Json() : Json(s); }

std::string JoinWarnings(const std::vector<std::string>& warnings) {
  std::string out;
  for (const auto& w : warnings) out += (out.empty() ? "" : "; ") + w;
  return out;
}

}  // namespace

Result<StatusView> LoadStatusView(store::Store& store, const std::string& period, bool caller_holds_lock) {
  StatusView view;
  view.run_in_progress = caller_holds_lock;
  if (!caller_holds_lock) {
    // A `running` row with the lock free is a run that died (kill -9, OOM).
    auto check = store.MarkDeadRunsUnlessOneRuns();
    if (!check.ok()) return check.error();
    view.run_in_progress = check->run_alive;
  }
  auto report = store.Report(period);
  if (!report.ok()) return report.error();
  view.report = std::move(*report);
  auto next = store.NextWork(period, "", 1, INT_MAX);
  if (!next.ok()) return next.error();
  if (!next->empty()) view.next_client = next->front().client.id;
  return view;
}

Json ExportRowToJson(const store::ExportRow& row) {
  return Json{{"id", row.id},
              {"name", row.name},
              {"document", OrNull(row.document)},
              {"period", row.period},
              {"status", row.status},
              {"file", OrNull(row.file)},
              {"bytes", row.bytes ? Json(*row.bytes) : Json()},
              {"sha256", OrNull(row.sha256)},
              {"attempts", row.attempts},
              {"last_error", OrNull(row.last_error)},
              {"linha_digitavel", OrNull(row.facts.linha_digitavel)},
              {"barcode", OrNull(row.facts.barcode)},
              {"bank", OrNull(row.facts.bank)},
              {"amount", OrNull(row.facts.amount)},
              {"due_date", OrNull(row.facts.due_date)},
              {"warnings", OrNull(JoinWarnings(row.facts.warnings))},
              {"downloaded_at", OrNull(row.downloaded_at)}};
}

Json RunToJson(const store::RunRecord& run) {
  return Json{{"id", run.id},
              {"period", run.period},
              {"pid", run.pid},
              {"host", run.host},
              {"started_at", run.started_at},
              {"ended_at", OrNull(run.ended_at)},
              {"outcome", store::RunOutcomeName(run.outcome)},
              {"summary", OrNull(run.summary)},
              {"last_done_client", OrNull(run.last_done_client)},
              {"last_done_at", OrNull(run.last_done_at)},
              {"done", run.done},
              {"failed_attempts", run.failed_attempts}};
}

Json StatusToJson(const StatusView& view) {
  const auto& r = view.report;
  Json runs = Json::array();
  for (const auto& run : r.recent_runs) runs.push_back(RunToJson(run));
  Json failures = Json::array();
  for (const auto& f : r.recent_failures) failures.push_back(ExportRowToJson(f));
  Json memory;
  if (r.last_memory) {
    memory = Json{{"run_id", r.last_memory->run_id},
                  {"at", r.last_memory->at},
                  {"clients_done", r.last_memory->clients_done},
                  {"worker_rss_kb", r.last_memory->worker_rss_kb},
                  {"browser_pss_kb", r.last_memory->browser_pss_kb},
                  {"cgroup_usage_kb", r.last_memory->cgroup_usage_kb < 0 ? Json() : Json(r.last_memory->cgroup_usage_kb)},
                  {"cgroup_limit_kb", r.last_memory->cgroup_limit_kb < 0 ? Json() : Json(r.last_memory->cgroup_limit_kb)}};
  }
  Json crashed;
  if (!r.recent_runs.empty() && r.recent_runs.front().outcome == store::RunOutcome::kCrashed) {
    crashed = RunToJson(r.recent_runs.front());
  }
  return Json{{"period", r.period},
              {"running", view.run_in_progress},
              {"counts",
               {{"total", r.counts.total},
                {"pending", r.counts.pending},
                {"retrying", r.counts.retrying},
                {"failed", r.counts.failed},
                {"done", r.counts.done},
                {"none", r.counts.none}}},
              {"last_success", r.last_success ? ExportRowToJson(*r.last_success) : Json()},
              {"next_client", OrNull(view.next_client)},
              {"crashed_run", crashed},
              {"runs", runs},
              {"last_memory", memory},
              {"recent_failures", failures}};
}

std::string StatusToText(const StatusView& view) {
  const auto& r = view.report;
  std::ostringstream out;
  out << "period " << r.period << ": " << r.counts.done << " of " << r.counts.total << " done, " << r.counts.pending
      << " pending, " << r.counts.retrying << " retrying, " << r.counts.failed << " failed";
  if (r.counts.none > 0) out << ", " << r.counts.none << " with no slip this period";
  out << "\n";
  if (view.run_in_progress) out << "a run is in progress now\n";
  if (r.last_success) {
    out << "last success: " << r.last_success->id << " (" << r.last_success->name << ") at "
        << r.last_success->downloaded_at << " -> " << r.last_success->file << "\n";
  } else {
    out << "last success: none yet\n";
  }
  if (!r.recent_runs.empty() && r.recent_runs.front().outcome == store::RunOutcome::kCrashed) {
    const auto& run = r.recent_runs.front();
    out << "THE LAST RUN DIED: run " << run.id << " (pid " << run.pid << " on " << run.host << ", started "
        << run.started_at << ") ended without a clean exit; "
        << (run.last_done_client.empty() ? "it finished no client"
                                         : "the last client it finished was " + run.last_done_client + " at " +
                                               run.last_done_at)
        << "\n";
    if (r.last_memory && r.last_memory->run_id == run.id) {
      out << "  its last memory sample (" << r.last_memory->at << "): worker RSS "
          << r.last_memory->worker_rss_kb / 1024 << " MB, browser PSS " << r.last_memory->browser_pss_kb / 1024
          << " MB";
      if (r.last_memory->cgroup_limit_kb > 0) {
        out << ", cgroup " << r.last_memory->cgroup_usage_kb / 1024 << " of " << r.last_memory->cgroup_limit_kb / 1024
            << " MB";
      }
      out << "\n";
    }
  }
  out << "next run resumes at: " << (view.next_client.empty() ? "nothing left to do" : view.next_client) << "\n";
  if (!r.recent_runs.empty()) {
    out << "recent runs:\n";
    for (const auto& run : r.recent_runs) {
      out << "  #" << run.id << " " << run.period << " " << store::RunOutcomeName(run.outcome) << ", started "
          << run.started_at << (run.ended_at.empty() ? "" : ", ended " + run.ended_at) << ", " << run.done
          << " done, " << run.failed_attempts << " failed attempts";
      if (!run.summary.empty()) out << " - " << run.summary;
      out << "\n";
    }
  }
  if (!r.recent_failures.empty()) {
    out << "recent failures:\n";
    for (const auto& f : r.recent_failures) {
      out << "  " << f.id << " (" << f.status << ", " << f.attempts << " attempts): " << f.last_error << "\n";
    }
  }
  return out.str();
}

}  // namespace boletos::report
