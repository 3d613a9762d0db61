#pragma once
// Browser: a launched headless Chromium and its CDP connection. Downloads
// are routed to the browser's own temporary folder (Page::Download moves
// each to where the caller wants it). Close() kills the process group; the
// destructor does the same, so no browser outlives it. Launch() hands out
// only a Browser that finished starting, so the accessors below may assume
// both parts; the destructor, BeginClose(), alive() and WhyDead() do not.

#include <chrono>
#include <memory>
#include <string>

#include "cdp/browser_process.h"
#include "cdp/cdp_connection.h"
#include "cdp/page.h"

namespace boletos::cdp {

class Browser {
 public:
  // Launches, connects and configures downloads, all within
  // options.start_timeout. Errors: kNotFound (no Chromium), kTimeout (it
  // did not start, or did not answer: the message names the CDP call),
  // kTargetCrashed (it exited), kConnectionClosed (its DevTools pipe
  // closed), kProtocolError (it answered nonsense); each names the
  // executable and, if it exited, its last output. A browser that exits at
  // start-up with its sandbox on is started once more without it; if that
  // one starts, every later launch of this process goes without (logged).
  static Result<std::unique_ptr<Browser>> Launch(const LaunchOptions& options);
  ~Browser();
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  // Opens a new tab (about:blank) attached on a flattened session; with
  // own_context, in a browser context of its own (cookies, storage and
  // cache apart from every other tab's, as an incognito window), which goes
  // with the tab. kProtocolError when the browser's replies lack the
  // target or session id.
  Result<std::unique_ptr<Page>> NewPage(Deadline deadline, bool own_context = false);

  // SIGKILL to the group; reaps everything and deletes the profile. Idempotent.
  void Close();
  // Only the first half of Close(): the connection closes and the group gets
  // SIGKILL now; Close() or the destructor waits for it and cleans up later
  // (see BrowserDisposer). alive() is false from here on.
  void BeginClose();

  // False once the browser process exited or its connection closed.
  bool alive();
  std::string WhyDead();

  pid_t pid() const { return process_->pid(); }
  const std::string& version() const { return version_; }
  std::chrono::milliseconds startup_time() const { return startup_time_; }
  CdpConnection& connection() { return *conn_; }
  const BrowserProcess& process() const { return *process_; }

 private:
  static Result<std::unique_ptr<Browser>> LaunchOnce(const LaunchOptions& options);
  Browser() = default;
  std::unique_ptr<BrowserProcess> process_;
  std::shared_ptr<CdpConnection> conn_;
  std::string version_;
  std::chrono::milliseconds startup_time_{0};
  bool closed_ = false;  // BeginClose() ran (Close() runs it first)
};

}  // namespace boletos::cdp
