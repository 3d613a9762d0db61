#include "cdp/process_spawner.h"

#include <fcntl.h>
#include <signal.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace boletos::cdp {
namespace {

// One thread that outlives every browser; requests run on it one at a time.
class SpawnThread {
 public:
  static SpawnThread& Get() {
    // Never destroyed: the thread must live until the process ends.
    static SpawnThread* instance = new SpawnThread();
    return *instance;
  }

  Result<SpawnedProcess> Run(const std::function<Result<SpawnedProcess>()>& job) {
    std::unique_lock<std::mutex> call_lock(call_mu_);  // one request at a time
    std::unique_lock<std::mutex> lock(mu_);
    job_ = &job;
    result_.reset();
    cv_.notify_all();
    cv_.wait(lock, [&] { return result_.has_value(); });
    job_ = nullptr;
    return std::move(*result_);
  }

 private:
  SpawnThread() {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    std::thread([this] { Loop(); }).detach();
  }

  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return job_ != nullptr && !result_.has_value(); });
      result_.emplace((*job_)());
      cv_.notify_all();
    }
  }

  std::mutex call_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  const std::function<Result<SpawnedProcess>()>* job_ = nullptr;
  std::optional<Result<SpawnedProcess>> result_;
};

Result<SpawnedProcess> ForkExec(const SpawnRequest& request) {
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls are allowed in a multi-threaded process.
  std::vector<char*> argv;
  for (const auto& a : request.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : request.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return MakeError(ErrorKind::kIo, std::string("cannot create a pipe for the browser: ") + std::strerror(errno));
  }
  int devtools[2] = {-1, -1};
  if (request.devtools_pipe && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, devtools) != 0) {
    int err = errno;
    close(fds[0]);
    close(fds[1]);
    return MakeError(ErrorKind::kIo, std::string("cannot create the browser's DevTools pipe: ") + std::strerror(err));
  }
  auto close_all = [&] {
    for (int fd : {fds[0], fds[1], devtools[0], devtools[1]}) {
      if (fd >= 0) close(fd);
    }
  };
  const bool drop = request.drop_privileges;
  const uid_t uid = request.uid;
  const gid_t gid = request.gid;
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close_all();
    return MakeError(ErrorKind::kIo, std::string("cannot fork the browser: ") + std::strerror(err));
  }
  if (pid == 0) {
    setpgid(0, 0);
    // Before PR_SET_PDEATHSIG: a change of credentials clears it.
    if (drop && (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) _exit(126);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the worker died before prctl took effect
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    // Out of the way of 0-4 first: any of these may sit on those numbers.
    int err_end = fcntl(fds[1], F_DUPFD, 10);
    int pipe_end = devtools[1] >= 0 ? fcntl(devtools[1], F_DUPFD, 10) : -1;
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
    }
    dup2(err_end, 2);
    if (pipe_end >= 0) {
      dup2(pipe_end, 3);  // the browser reads DevTools commands here
      dup2(pipe_end, 4);  // and writes its replies and events here
    }
    // No descriptor of the worker's (the database, the status socket, the
    // other browser's DevTools pipe) reaches the browser, CLOEXEC or not.
    unsigned first_closed = pipe_end >= 0 ? 5 : 3;
    if (close_range(first_closed, ~0U, 0) != 0) {
      for (int fd = static_cast<int>(first_closed); fd < 4096; ++fd) close(fd);
    }
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  setpgid(pid, pid);  // also from the parent, so the group exists before anyone signals it
  close(fds[1]);
  if (devtools[1] >= 0) close(devtools[1]);
  return SpawnedProcess{pid, fds[0], devtools[0]};
}

}  // namespace

Result<SpawnedProcess> SpawnInOwnGroup(const SpawnRequest& request) {
  if (request.args.empty()) return MakeError(ErrorKind::kBadInput, "SpawnInOwnGroup: no program given");
  return SpawnThread::Get().Run([&] { return ForkExec(request); });
}

}  // namespace boletos::cdp
