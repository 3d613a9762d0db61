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

struct SpawnRequest {
  std::vector<std::string> args;  // args[0] is the executable path
  std::vector<std::string> env;   // the child's whole environment
  // The child gets one end of a socket pair as fds 3 and 4 (Chromium's
  // --remote-debugging-pipe); the worker keeps the other.
  bool devtools_pipe = false;
  // Set: the child becomes this user and group before exec (the worker is root).
  bool drop_privileges = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

struct SpawnedProcess {
  pid_t pid = -1;        // also its process group id
  int stderr_fd = -1;    // read end of the child's stderr, O_CLOEXEC
  int devtools_fd = -1;  // the worker's end of the DevTools pipe, O_CLOEXEC (devtools_pipe)
};

// The child has no descriptor of the worker's but stdin/stdout on
// /dev/null, stderr on the pipe and, if asked, the DevTools pipe.
Result<SpawnedProcess> SpawnInOwnGroup(const SpawnRequest& request);

}  // namespace boletos::cdp
