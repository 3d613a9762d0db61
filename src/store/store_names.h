#pragma once
// The words the database stores for job statuses and run outcomes, and back.

#include <optional>
#include <string>

#include "store/store.h"

namespace boletos::store {

std::optional<JobStatus> ParseJobStatus(const std::string& name);
std::optional<RunOutcome> ParseRunOutcome(const std::string& name);

}  // namespace boletos::store
