#include "cdp/browser_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "cdp/process_spawner.h"

extern char** environ;

namespace boletos::cdp {

std::vector<std::string> BrowserEnvironment(char** worker_env) {
  // What Chromium and its libraries read; nothing else of the worker's
  // (PORTAL_PASSWORD, every env.* of the flow, BOLETOS_STATUS_TOKEN) reaches
  // a program that runs a portal's scripts. TMPDIR is the browser's own.
  static const char* kKept[] = {"PATH=", "HOME=", "LANG=", "LANGUAGE=", "LC_", "TZ=",
                                "FONTCONFIG_FILE=", "FONTCONFIG_PATH=", "XDG_CONFIG_HOME=", "XDG_CACHE_HOME="};
  std::vector<std::string> env;
  for (char** e = worker_env; e && *e; ++e) {
    for (const char* prefix : kKept) {
      if (std::strncmp(*e, prefix, std::strlen(prefix)) == 0) {
        env.emplace_back(*e);
        break;
      }
    }
  }
  return env;
}

namespace fs = std::filesystem;

std::vector<std::string> DefaultBrowserArgs(bool sandbox) {
  std::vector<std::string> args{
      "--headless",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-extensions",
      "--disable-quic",
      "--disable-gpu",
      // No SwiftShader either (WebGL's software fallback; no portal page
      // needs WebGL): the browser process stays 14 MB PSS smaller, and
      // screenshots and printing do not use it.
      "--disable-software-rasterizer",
      "--mute-audio",
      "--hide-scrollbars",
      "--metrics-recording-only",
      "--password-store=basic",
      // The process-merging flags: 5 processes / 133 MB -> 1 process / 100 MB.
      "--in-process-gpu",
      "--enable-features=NetworkServiceInProcess2",
      // One renderer for every tab and popup: a new-tab delivery otherwise got
      // a renderer of its own (+25-50 MB PSS while it lived); bench/run shows
      // the peak drop with no loss of speed, --tabs 4 included.
      "--renderer-process-limit=1",
  };
  if (!sandbox) args.push_back("--no-zygote");
  return args;
}

Result<std::string> FindChromium(const std::string& explicit_path) {
  auto executable = [](const std::string& p) { return access(p.c_str(), X_OK) == 0 && !fs::is_directory(p); };
  if (!explicit_path.empty()) {
    if (explicit_path.find('/') == std::string::npos) {
      // A bare name: look it up on PATH like a shell would.
    } else if (executable(explicit_path)) {
      return explicit_path;
    } else {
      return MakeError(ErrorKind::kNotFound, "Chromium not found at " + explicit_path +
                                                 " (--chromium / BOLETOS_CHROMIUM): point it at an executable, "
                                                 "or install it: apt-get install chromium-headless-shell");
    }
  }
  std::vector<std::string> tried;
  if (explicit_path.empty()) {
    const std::string shell = "/usr/lib/chromium/chromium-headless-shell";
    if (executable(shell)) return shell;
    tried.push_back(shell);
  }
  const char* path_env = std::getenv("PATH");
  std::string path = path_env ? path_env : "/usr/bin:/bin";
  std::vector<std::string> names = explicit_path.empty()
                                       ? std::vector<std::string>{"chromium-headless-shell", "chromium", "chromium-browser"}
                                       : std::vector<std::string>{explicit_path};
  for (const auto& name : names) {
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find(':', start);
      if (end == std::string::npos) end = path.size();
      std::string dir = path.substr(start, end - start);
      if (!dir.empty() && executable(dir + "/" + name)) return dir + "/" + name;
      start = end + 1;
    }
    tried.push_back(name + " on PATH");
  }
  std::string list;
  for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
  return MakeError(ErrorKind::kNotFound, "Chromium not found (tried " + list +
                                             "): install it with `apt-get install chromium-headless-shell` "
                                             "or pass --chromium PATH");
}

std::string BrowserTempRoot(const std::string& temp_root) {
  if (!temp_root.empty()) return temp_root;
  const char* t = std::getenv("TMPDIR");
  return (t && *t) ? t : "/tmp";
}

int RemoveStaleBrowserFolders(const std::string& temp_root) {
  std::error_code ec;
  int removed = 0;
  const std::string prefix = kBrowserFolderPrefix;
  for (const auto& entry : fs::directory_iterator(BrowserTempRoot(temp_root), ec)) {
    std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    char* end = nullptr;
    long owner = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (owner <= 0 || end == nullptr || *end != '-') continue;  // not ours, or an old name: leave it
    if (kill(static_cast<pid_t>(owner), 0) == 0 || errno != ESRCH) continue;  // its worker lives
    std::error_code rm;
    fs::remove_all(entry.path(), rm);
    if (!rm) ++removed;
  }
  return removed;
}

Result<std::unique_ptr<BrowserProcess>> BrowserProcess::Launch(const LaunchOptions& options,
                                                               const BrowserIdentity& identity) {
  auto exe = FindChromium(options.executable);
  if (!exe.ok()) return exe.error();

  std::string root = BrowserTempRoot(options.temp_root);
  // The worker's pid in the name lets the next run tell a folder that a
  // killed worker left from one that a live worker still uses.
  std::string tmpl = root + "/" + kBrowserFolderPrefix + std::to_string(getpid()) + "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    return MakeError(ErrorKind::kIo, "cannot create the browser's temporary folder under " + root + ": " +
                                         std::strerror(errno) + " (set TMPDIR to a writable folder)");
  }
  std::unique_ptr<BrowserProcess> proc(new BrowserProcess());
  proc->root_dir_ = buf.data();
  proc->executable_ = *exe;
  proc->identity_ = identity;
  proc->download_dir_ = proc->root_dir_ + "/downloads";
  std::error_code ec;
  for (const char* sub : {"/profile", "/tmp", "/downloads"}) fs::create_directory(proc->root_dir_ + sub, ec);
  if (identity.drop_privileges) {
    // The browser's own folder is the one place it may write.
    for (const char* sub : {"", "/profile", "/tmp", "/downloads"}) {
      std::string dir = proc->root_dir_ + sub;
      if (chown(dir.c_str(), identity.uid, identity.gid) != 0) {
        return MakeError(ErrorKind::kIo, "cannot give the browser's folder " + dir + " to user " + identity.user +
                                             ": " + std::strerror(errno));
      }
    }
    if (Status reach = CanReach(proc->root_dir_, identity.uid, identity.gid); !reach.ok()) {
      return MakeError(ErrorKind::kIo, "the browser runs as user " + identity.user +
                                           ", who cannot reach its folder " + proc->root_dir_ + ": " +
                                           reach.message() +
                                           ". Set TMPDIR to a folder every user can enter (e.g. /tmp), or "
                                           "--browser-user to a user who can");
    }
  }

  std::vector<std::string> args{*exe};
  for (auto& a : DefaultBrowserArgs(identity.sandbox)) args.push_back(a);
  if (!identity.sandbox) args.push_back("--no-sandbox");
  args.push_back("--user-data-dir=" + proc->root_dir_ + "/profile");
  // DevTools on fds 3 and 4, not a TCP port any local process could use
  // to drive a browser that is logged in to the portal.
  args.push_back("--remote-debugging-pipe");
  for (auto& a : options.extra_args) args.push_back(a);
  // No start URL: the shell then opens no tab of its own. An about:blank tab
  // here kept a renderer process (~30-50 MB PSS) alive beside the tabs
  // Browser::NewPage creates, for the browser's whole life.

  SpawnRequest request;
  request.args = std::move(args);
  request.env = BrowserEnvironment(environ);
  if (identity.drop_privileges) {
    // The worker's HOME and XDG folders are not the browser user's.
    std::vector<std::string> kept;
    for (auto& e : request.env) {
      if (e.rfind("HOME=", 0) != 0 && e.rfind("XDG_", 0) != 0) kept.push_back(std::move(e));
    }
    request.env = std::move(kept);
    request.env.push_back("HOME=" + proc->root_dir_);
  }
  request.env.push_back("TMPDIR=" + proc->root_dir_ + "/tmp");
  request.devtools_pipe = true;
  request.drop_privileges = identity.drop_privileges;
  request.uid = identity.uid;
  request.gid = identity.gid;

  auto spawned = SpawnInOwnGroup(request);
  if (!spawned.ok()) return spawned.error();
  proc->pid_ = spawned->pid;
  proc->stderr_fd_ = spawned->stderr_fd;
  proc->devtools_fd_ = spawned->devtools_fd;
  // From the start: a full stderr pipe would block the browser, and its
  // lines say why a start failed. Whether it started is the first DevTools
  // call's to find out (Browser::Launch).
  proc->stderr_thread_ = std::thread([p = proc.get()] { p->DrainStderr(); });
  return proc;
}

int BrowserProcess::TakeDevToolsFd() {
  int fd = devtools_fd_;
  devtools_fd_ = -1;
  return fd;
}

void BrowserProcess::DrainStderr() {
  char chunk[4096];
  auto ended = [this] {
    {
      std::lock_guard<std::mutex> lock(output_mu_);
      output_ended_flag_ = true;
    }
    output_ended_.notify_all();
  };
  while (true) {
    bool stop = false;
    {
      std::lock_guard<std::mutex> lock(output_mu_);
      stop = stop_draining_;
    }
    // Not under the lock: ended() takes it (a return from inside the block
    // above ran ended() with the lock still held, and the thread waited for
    // itself while the destructor waited to join it).
    if (stop) return ended();
    pollfd pfd{stderr_fd_, POLLIN, 0};
    int ready = poll(&pfd, 1, 100);
    if (ready <= 0) continue;
    ssize_t n = read(stderr_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ended();
    std::lock_guard<std::mutex> lock(output_mu_);
    partial_line_.append(chunk, static_cast<size_t>(n));
    size_t nl;
    while ((nl = partial_line_.find('\n')) != std::string::npos) {
      recent_lines_.push_back(partial_line_.substr(0, nl));
      partial_line_.erase(0, nl + 1);
      if (recent_lines_.size() > 20) recent_lines_.pop_front();
    }
    if (partial_line_.size() > 8192) partial_line_.clear();
  }
}

std::string BrowserProcess::RecentOutput() {
  std::unique_lock<std::mutex> lock(output_mu_);
  if (exited_) {
    // Its last words may still sit in the pipe (a helper that outlives it
    // may hold the pipe open: not for long).
    output_ended_.wait_for(lock, std::chrono::milliseconds(500), [this] { return output_ended_flag_; });
  }
  std::string out;
  for (const auto& l : recent_lines_) out += "  " + l + "\n";
  if (!partial_line_.empty()) out += "  " + partial_line_ + "\n";
  return out;
}

bool BrowserProcess::Exited() {
  if (exited_) return true;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    exited_ = true;
    exit_status_ = status;
  }
  return exited_;
}

bool BrowserProcess::ExitedWithin(std::chrono::milliseconds wait) { return WaitForExit(Deadline::In(wait)); }

std::string BrowserProcess::HowItEnded() const {
  if (WIFSIGNALED(exit_status_)) return "killed by signal " + std::to_string(WTERMSIG(exit_status_));
  int code = WEXITSTATUS(exit_status_);
  std::string how = "exit code " + std::to_string(code);
  if (code == 126 && identity_.drop_privileges) how += ": it could not become user " + identity_.user;
  if (code == 127) how += ": " + executable_ + " could not be run";
  return how;
}

bool BrowserProcess::WaitForExit(Deadline deadline) {
  // Shutdown-only path, right after a SIGKILL: a 1 ms poll costs nothing.
  while (!Exited()) {
    if (deadline.expired()) return false;
    usleep(1000);
  }
  return true;
}

void BrowserProcess::ReapGroup(Deadline deadline) {
  // The browser's helpers are in its group; orphaned, they come to us (we
  // are a child subreaper, see process_spawner) and are reaped here.
  while (!deadline.expired()) {
    int status = 0;
    pid_t r = waitpid(-pid_, &status, WNOHANG);
    if (r > 0) continue;
    if (r < 0 && errno == ECHILD) {
      // No child of ours left in the group; stop once nothing else is in it.
      if (kill(-pid_, 0) != 0 && errno == ESRCH) return;
    }
    usleep(1000);
  }
}

void BrowserProcess::SendKill() {
  if (pid_ <= 0 || signalled_) return;
  signalled_ = true;
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
}

void BrowserProcess::Kill() {
  if (pid_ <= 0 || killed_) return;
  killed_ = true;
  SendKill();
  WaitForExit(Deadline::In(std::chrono::seconds(5)));
  ReapGroup(Deadline::In(std::chrono::seconds(3)));
}

BrowserProcess::~BrowserProcess() {
  Kill();
  if (stderr_thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(output_mu_);
      stop_draining_ = true;
    }
    stderr_thread_.join();
  }
  if (stderr_fd_ >= 0) close(stderr_fd_);
  if (devtools_fd_ >= 0) close(devtools_fd_);
  if (!root_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(root_dir_, ec);
  }
}

}  // namespace boletos::cdp
