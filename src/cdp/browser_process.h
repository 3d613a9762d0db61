#pragma once
// BrowserProcess: one headless Chromium, owned. It runs in its own process
// group with a fresh profile, TMPDIR and download folder under one temporary
// directory; it dies with the worker (PDEATHSIG). Destroying the object kills
// the whole group, reaps every process of it and deletes the directory, also
// when the browser already crashed.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cdp/browser_identity.h"
#include "core/deadline.h"
#include "core/result.h"

namespace boletos::cdp {

struct LaunchOptions {
  std::string executable;  // empty: FindChromium("")
  std::string temp_root;   // where the per-browser directory goes; empty: $TMPDIR or /tmp
  std::vector<std::string> extra_args;
  std::chrono::milliseconds start_timeout{20000};
  // Who the browser runs as and whether it is sandboxed; unset: the
  // default (DefaultBrowserIdentity, resolved once per process).
  std::optional<BrowserIdentity> identity;
};

// The default flags: the headless shell with processes merged, which
// measured lowest here (CHROMIUM-NOTES.md), and no background traffic.
// Sandboxed, the zygote stays: Chromium refuses --no-zygote with its sandbox.
std::vector<std::string> DefaultBrowserArgs(bool sandbox);

// Resolves the browser: the explicit path if given, else the headless shell
// at /usr/lib/chromium/chromium-headless-shell, then chromium-headless-shell,
// chromium, chromium-browser on PATH. kNotFound says what was tried and how
// to install it.
Result<std::string> FindChromium(const std::string& explicit_path);

// Each browser's profile, TMPDIR and downloads live in
// TEMP_ROOT/boletos-browser-<worker pid>-XXXXXX, deleted when it closes.
inline constexpr const char* kBrowserFolderPrefix = "boletos-browser-";
// temp_root, else $TMPDIR, else /tmp.
std::string BrowserTempRoot(const std::string& temp_root);
// Deletes the browser folders whose worker is dead (a kill -9 gives no
// chance to clean up); a live worker's folders are left alone. Returns how
// many it deleted.
int RemoveStaleBrowserFolders(const std::string& temp_root = "");

class BrowserProcess {
 public:
  // identity: who it runs as and whether sandboxed (options.identity is
  // resolved by Browser::Launch, the one caller, which may override it).
  static Result<std::unique_ptr<BrowserProcess>> Launch(const LaunchOptions& options,
                                                        const BrowserIdentity& identity);
  ~BrowserProcess();
  BrowserProcess(const BrowserProcess&) = delete;
  BrowserProcess& operator=(const BrowserProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The worker's end of the DevTools pipe; the caller owns it from here
  // (-1 after the first call).
  int TakeDevToolsFd();
  const BrowserIdentity& identity() const { return identity_; }
  const std::string& download_dir() const { return download_dir_; }
  const std::string& root_dir() const { return root_dir_; }
  const std::string& executable() const { return executable_; }

  // True once the browser's main process has exited (reaps it if so).
  bool Exited();
  // Exited(), waiting up to `wait` for it (a DevTools pipe that closed at
  // start-up: the process is on its way out).
  bool ExitedWithin(std::chrono::milliseconds wait);
  // After Exited(): "exit code N" or "killed by signal N", and what the
  // codes of the spawner's own (126: no switch of user, 127: no exec) mean.
  std::string HowItEnded() const;
  // SIGKILL to the whole group, without waiting for it. Idempotent.
  void SendKill();
  // SIGKILL to the whole group (unless SendKill() sent it), then reaps
  // every member. Idempotent.
  void Kill();
  // The browser's last lines on stderr, for messages about a crash; once
  // it has exited, all of them (waits briefly for the pipe's end).
  std::string RecentOutput();

 private:
  BrowserProcess() = default;
  void DrainStderr();
  // After Kill()'s SIGKILL: until the main process has exited, or the deadline.
  bool WaitForExit(Deadline deadline);
  void ReapGroup(Deadline deadline);

  pid_t pid_ = -1;
  bool exited_ = false;
  bool signalled_ = false;  // SendKill() ran
  bool killed_ = false;     // Kill() ran
  int exit_status_ = 0;
  int stderr_fd_ = -1;
  int devtools_fd_ = -1;
  BrowserIdentity identity_;
  std::string root_dir_;
  std::string download_dir_;
  std::string executable_;
  std::thread stderr_thread_;
  std::mutex output_mu_;
  std::condition_variable output_ended_;
  std::deque<std::string> recent_lines_;
  std::string partial_line_;
  bool stop_draining_ = false;
  bool output_ended_flag_ = false;  // the stderr pipe reached its end
};

// The environment a browser starts with: the variables of worker_env that
// Chromium needs (PATH, HOME, locale, TZ, fontconfig, XDG dirs), no other.
std::vector<std::string> BrowserEnvironment(char** worker_env);

}  // namespace boletos::cdp
