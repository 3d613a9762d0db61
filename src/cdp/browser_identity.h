#pragma once
// BrowserIdentity: who the browser runs as, and whether Chromium's sandbox
// is on. A worker that runs as root (a container's default) does not hand
// root to a program that runs a portal's scripts: the browser drops to an
// unprivileged user (--browser-user, else the image's `boletos` user, else
// `nobody`). The sandbox needs user namespaces, which many containers'
// seccomp profiles refuse: it is on when a probe, run as that user, can
// create them, and off (--no-sandbox) otherwise - said in the log either way.
//
// Invariant: drop_privileges is set only when the worker is root; sandbox
// says what the probe found for that user, never a guess.

#include <sys/types.h>

#include <string>

#include "core/result.h"

namespace boletos::cdp {

struct BrowserIdentity {
  bool drop_privileges = false;  // the browser becomes uid/gid before exec
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;     // the name the browser runs as
  bool sandbox = false;  // Chromium's own sandbox (else --no-sandbox)
  std::string no_sandbox_why;

  // One line for the log: "browser runs as user nobody (uid 65534), with
  // Chromium's sandbox" or "... without Chromium's sandbox: <why>".
  std::string Describe() const;
};

// user_name: --browser-user, or empty for the default. Fails with
// kBadInput when the user does not exist, or when a user other than the
// worker's own is asked for by a worker that is not root (it cannot switch).
Result<BrowserIdentity> ResolveBrowserIdentity(const std::string& user_name);

// The default identity, resolved once per process (the probe forks): what
// a LaunchOptions without an identity of its own runs with.
const Result<BrowserIdentity>& DefaultBrowserIdentity();

// Whether (uid, gid) may enter every folder from / down to path (the
// execute bit that applies to it on each); else the first folder that
// stops it, with its owner and mode, for the error message.
Status CanReach(const std::string& path, uid_t uid, gid_t gid);

}  // namespace boletos::cdp
