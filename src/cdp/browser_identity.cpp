#include "cdp/browser_identity.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <vector>

namespace boletos::cdp {
namespace {

struct Account {
  std::string name;
  uid_t uid;
  gid_t gid;
};

std::optional<Account> LookUp(const std::string& name) {
  struct passwd pw;
  struct passwd* found = nullptr;
  std::string buf(16384, '\0');
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) return std::nullopt;
  return Account{name, pw.pw_uid, pw.pw_gid};
}

std::string NameOf(uid_t uid) {
  struct passwd pw;
  struct passwd* found = nullptr;
  std::string buf(16384, '\0');
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) return "uid " + std::to_string(uid);
  return pw.pw_name;
}

// Whether a process of (uid, gid), or this process when drop is false, can
// create the namespaces Chromium's sandbox needs. The probe is a forked
// child that switches to the user and tries; its errno comes back on a
// pipe (not its exit status: the worker's stray reaper may reap it first).
std::string ProbeSandbox(bool drop, uid_t uid, gid_t gid) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::string("cannot probe it: pipe: ") + std::strerror(errno);
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(fds[0]);
    close(fds[1]);
    return std::string("cannot probe it: fork: ") + std::strerror(err);
  }
  if (pid == 0) {
    // Only async-signal-safe calls in the child of a threaded process.
    int err = 0;
    if (drop && (setgroups(1, &gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0)) err = errno;
    if (err == 0 && unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET) != 0) err = errno;
    unsigned char code = static_cast<unsigned char>(err > 255 ? 255 : err);
    ssize_t written = write(fds[1], &code, 1);
    _exit(written == 1 ? 0 : 1);
  }
  close(fds[1]);
  unsigned char code = 255;
  ssize_t n;
  do {
    n = read(fds[0], &code, 1);
  } while (n < 0 && errno == EINTR);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);  // ECHILD if the reaper took it: the pipe said enough
  if (n != 1) return "cannot probe it: the probe process gave no answer";
  if (code == 0) return "";
  return std::string("the kernel does not let this user create namespaces (") + std::strerror(code) + ")";
}

}  // namespace

std::string BrowserIdentity::Describe() const {
  std::string who = "the browser runs as user " + user + " (uid " + std::to_string(uid) + ")";
  if (sandbox) return who + ", with Chromium's sandbox";
  return who + ", without Chromium's sandbox: " + no_sandbox_why;
}

Result<BrowserIdentity> ResolveBrowserIdentity(const std::string& user_name) {
  BrowserIdentity id;
  bool root = geteuid() == 0;
  if (root) {
    std::optional<Account> account;
    if (!user_name.empty()) {
      account = LookUp(user_name);
      if (!account) {
        return MakeError(ErrorKind::kBadInput, "--browser-user " + user_name +
                                                   ": no such user on this machine (add it, e.g. `useradd "
                                                   "--system " + user_name + "`, or name another)");
      }
    } else {
      account = LookUp("boletos");
      if (!account) account = LookUp("nobody");
      if (!account) {
        return MakeError(ErrorKind::kBadInput,
                         "the worker runs as root and neither a `boletos` nor a `nobody` user exists to run the "
                         "browser as: add one (`useradd --system boletos`) or pass --browser-user NAME");
      }
    }
    if (account->uid == 0) {
      return MakeError(ErrorKind::kBadInput, "--browser-user " + account->name +
                                                 " is root: the browser must not run as root; name an "
                                                 "unprivileged user");
    }
    id.drop_privileges = true;
    id.uid = account->uid;
    id.gid = account->gid;
    id.user = account->name;
  } else {
    id.uid = geteuid();
    id.gid = getegid();
    id.user = NameOf(id.uid);
    if (!user_name.empty() && user_name != id.user) {
      return MakeError(ErrorKind::kBadInput, "--browser-user " + user_name + ": the worker runs as " + id.user +
                                                 ", not root, so it cannot start the browser as another "
                                                 "user; leave --browser-user out (the browser runs as " +
                                                 id.user + ")");
    }
  }
  id.no_sandbox_why = ProbeSandbox(id.drop_privileges, id.uid, id.gid);
  id.sandbox = id.no_sandbox_why.empty();
  return id;
}

const Result<BrowserIdentity>& DefaultBrowserIdentity() {
  static const Result<BrowserIdentity> identity = ResolveBrowserIdentity("");
  return identity;
}

Status CanReach(const std::string& path, uid_t uid, gid_t gid) {
  namespace fs = std::filesystem;
  if (uid == 0) return Status::Ok();
  fs::path folder = fs::absolute(fs::path(path)).lexically_normal();
  std::vector<fs::path> chain;
  for (fs::path p = folder; !p.empty(); p = p.parent_path()) {
    chain.push_back(p);
    if (p == p.root_path()) break;
  }
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    struct stat st;
    if (stat(it->c_str(), &st) != 0) {
      return MakeError(ErrorKind::kIo, "cannot look at " + it->string() + ": " + std::strerror(errno));
    }
    mode_t bit = st.st_uid == uid ? S_IXUSR : st.st_gid == gid ? S_IXGRP : S_IXOTH;
    if ((st.st_mode & bit) == 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      return MakeError(ErrorKind::kIo, it->string() + " (owner " + NameOf(st.st_uid) + ", mode " + mode +
                                           ") does not let user " + NameOf(uid) + " in");
    }
  }
  return Status::Ok();
}

}  // namespace boletos::cdp
