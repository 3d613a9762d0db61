#include "e2e_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace boletos::e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::string ProcFile(pid_t pid, const char* name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// State letter from /proc/PID/stat ('Z' for a zombie), 0 when gone.
char ProcState(pid_t pid) {
  std::string stat = ProcFile(pid, "stat");
  auto paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return 0;
  return stat[paren + 2];
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Child::Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::string& out_path, const std::string& err_path)
    : out_path_(out_path), err_path_(err_path) {
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls (the test binary has threads).
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    std::string key = kv.substr(0, kv.find('='));
    // Hermetic: nothing from the caller's BOLETOS_* or portal settings leaks in.
    if (key.rfind("BOLETOS_", 0) == 0 || key.rfind("PORTAL_", 0) == 0 || env.count(key)) continue;
    env_text.push_back(kv);
  }
  for (const auto& [k, v] : env) env_text.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_text) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& s : argv_copy) args.push_back(s.data());
  args.push_back(nullptr);

  int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out_fd < 0 || err_fd < 0 || null_fd < 0) {
    std::fprintf(stderr, "e2e: cannot open %s / %s: %s\n", out_path.c_str(), err_path.c_str(), std::strerror(errno));
    std::abort();
  }
  pid_ = fork();
  if (pid_ < 0) {
    std::perror("e2e: fork");
    std::abort();
  }
  if (pid_ == 0) {
    setpgid(0, 0);  // a signal meant for the test runner's group never reaches it
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(null_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execve(args[0], args.data(), envp.data());
    const char msg[] = "e2e: execve failed\n";
    ssize_t ignored = write(2, msg, sizeof msg - 1);
    (void)ignored;
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  close(null_fd);
}

Child::~Child() {
  if (!code_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    if (waitpid(pid_, &status, 0) == pid_) Reap(status);
  }
}

void Child::Reap(int status) {
  if (WIFEXITED(status)) code_ = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) code_ = 128 + WTERMSIG(status);
  else code_ = -1;
}

bool Child::running() {
  if (code_) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    Reap(status);
    return false;
  }
  return true;
}

void Child::Signal(int sig) {
  if (running()) kill(pid_, sig);
}

std::optional<int> Child::Wait(Ms timeout) {
  auto deadline = Clock::now() + timeout;
  while (running()) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(Ms(10));
  }
  return code_;
}

bool Child::WaitForOutput(const std::string& text, Ms timeout) {
  auto deadline = Clock::now() + timeout;
  while (true) {
    bool alive = running();  // read after the check: an exited child's output is complete
    if (CountOutput(text) > 0) return true;
    if (!alive || Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(Ms(10));
  }
}

int Child::CountOutput(const std::string& text) const {
  std::string all = out();
  int n = 0;
  for (size_t at = all.find(text); at != std::string::npos; at = all.find(text, at + text.size())) ++n;
  return n;
}

std::string Child::out() const { return ReadFile(out_path_); }
std::string Child::err() const { return ReadFile(err_path_); }

Outcome RunToEnd(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                 const std::string& scratch_prefix, Ms timeout) {
  Child child(argv, env, scratch_prefix + ".out", scratch_prefix + ".err");
  Outcome o;
  auto code = child.Wait(timeout);
  if (!code) {
    child.Signal(SIGKILL);
    code = child.Wait(Ms(5000));
    o.err = "e2e: command did not end within " + std::to_string(timeout.count()) + " ms and was killed\n";
  }
  o.code = code.value_or(-1);
  o.out = child.out();
  o.err += child.err();
  return o;
}

std::vector<CensusEntry> ProcessesMarkedWith(const std::string& marker) {
  std::vector<CensusEntry> found;
  DIR* proc = opendir("/proc");
  if (!proc) return found;
  while (dirent* e = readdir(proc)) {
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0 || pid == getpid()) continue;
    char state = ProcState(pid);
    if (state == 0 || state == 'Z' || state == 'X') continue;
    std::string cmdline = ProcFile(pid, "cmdline");
    std::string environ_text = ProcFile(pid, "environ");
    if (cmdline.find(marker) == std::string::npos && environ_text.find(marker) == std::string::npos) continue;
    found.push_back({pid, cmdline.substr(0, cmdline.find('\0'))});
  }
  closedir(proc);
  return found;
}

int ChromiumProcessesMarkedWith(const std::string& marker) {
  int n = 0;
  for (const auto& p : ProcessesMarkedWith(marker)) {
    if (p.argv0.find("chrom") != std::string::npos || p.argv0.find("headless") != std::string::npos) ++n;
  }
  return n;
}

bool WaitUntilNoProcessMarkedWith(const std::string& marker, Ms timeout) {
  auto deadline = Clock::now() + timeout;
  while (!ProcessesMarkedWith(marker).empty()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(Ms(50));
  }
  return true;
}

}  // namespace boletos::e2e
