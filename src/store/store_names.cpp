#include "store/store_names.h"

namespace boletos::store {

const char* JobStatusName(JobStatus s) {
  switch (s) {
    case JobStatus::kPending: return "pending";
    case JobStatus::kRetrying: return "retrying";
    case JobStatus::kFailed: return "failed";
    case JobStatus::kDone: return "done";
    case JobStatus::kNone: return "none";
  }
  return "unknown";
}

const char* RunOutcomeName(RunOutcome o) {
  switch (o) {
    case RunOutcome::kRunning: return "running";
    case RunOutcome::kFinished: return "finished";
    case RunOutcome::kFailed: return "failed";
    case RunOutcome::kPortalDown: return "portal_down";
    case RunOutcome::kInterrupted: return "interrupted";
    case RunOutcome::kCrashed: return "crashed";
    case RunOutcome::kHumanNeeded: return "human_needed";
  }
  return "unknown";
}

std::optional<JobStatus> ParseJobStatus(const std::string& name) {
  for (JobStatus s : {JobStatus::kPending, JobStatus::kRetrying, JobStatus::kFailed, JobStatus::kDone, JobStatus::kNone}) {
    if (name == JobStatusName(s)) return s;
  }
  return std::nullopt;
}

std::optional<RunOutcome> ParseRunOutcome(const std::string& name) {
  for (RunOutcome o : {RunOutcome::kRunning, RunOutcome::kFinished, RunOutcome::kFailed, RunOutcome::kPortalDown,
                       RunOutcome::kInterrupted, RunOutcome::kCrashed, RunOutcome::kHumanNeeded}) {
    if (name == RunOutcomeName(o)) return o;
  }
  return std::nullopt;
}

}  // namespace boletos::store
