#pragma once
// SpawnInOwnGroup: fork+exec a program in a new process group with its
// stderr on a pipe, from a thread that lives as long as the process. That
// matters: PR_SET_PDEATHSIG fires when the *thread* that forked the child
// exits, so forking from a short-lived thread would kill the browser early,
// and forking from the caller would tie the browser to the caller's thread.
// The process is also made a child subreaper, so the browser's helpers,
// orphaned when the browser dies, are reparented to us and reaped.

#include <sys/types.h>

#include <string>
#include <vector>

#include "core/result.h"

namespace boletos::cdp {

struct SpawnedProcess {
  pid_t pid = -1;     // also its process group id
  int stderr_fd = -1;  // read end of the child's stderr, O_CLOEXEC
};

// args[0] is the executable path. env is the child's whole environment.
Result<SpawnedProcess> SpawnInOwnGroup(const std::vector<std::string>& args, const std::vector<std::string>& env);

}  // namespace boletos::cdp
