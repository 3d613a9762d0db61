#include "store/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/host_name.h"
#include "core/iso_time.h"

namespace boletos::store {
namespace {

int Flock(int fd, int op) {
  int rc;
  do {
    rc = flock(fd, op);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

std::string ReadAll(int fd) {
  std::string text;
  char buf[4096];
  off_t offset = 0;
  ssize_t n;
  while ((n = pread(fd, buf, sizeof buf, offset)) > 0) {
    text.append(buf, static_cast<size_t>(n));
    offset += n;
  }
  return text;
}

// "pid 123 on host h since T, running `boletos run`", or a plain note when
// the holder has not written its details yet (it has just taken the lock).
std::string DescribeHolder(int fd) {
  nlohmann::json info = nlohmann::json::parse(ReadAll(fd), nullptr, /*allow_exceptions=*/false);
  if (!info.is_object() || !info.contains("pid")) return "holder details not written yet";
  auto text = [&](const char* key) -> std::string {
    auto it = info.find(key);
    if (it == info.end()) return "?";
    return it->is_string() ? it->get<std::string>() : it->dump();
  };
  std::string s = "pid " + text("pid") + " on host " + text("host") + " since " + text("since");
  if (std::string command = text("command"); command != "?" && !command.empty()) s += ", running `" + command + "`";
  return s;
}

Error OpenError(const std::string& lock_path, int err) {
  if (err == ENOENT) {
    auto folder = std::filesystem::path(lock_path).parent_path();
    return MakeError(ErrorKind::kBadInput, "database folder " + (folder.empty() ? "." : folder.string()) +
                                               " does not exist: create it or pass --db");
  }
  return MakeError(ErrorKind::kIo, "cannot open the lock file " + lock_path + ": " + std::strerror(err) +
                                       ": check the permissions of the database folder");
}

}  // namespace

InstanceLock::InstanceLock(int fd, std::string path) : fd_(fd), owner_(getpid()), path_(std::move(path)) {}

InstanceLock::InstanceLock(InstanceLock&& other) noexcept
    : fd_(other.fd_), owner_(other.owner_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

InstanceLock& InstanceLock::operator=(InstanceLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    owner_ = other.owner_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

InstanceLock::~InstanceLock() { Release(); }

void InstanceLock::Release() {
  if (fd_ < 0) return;
  if (getpid() == owner_) {
    // Clear the holder's details before unlocking, so the next holder's are
    // never overwritten. Failing to clear them only leaves stale text in a
    // file nobody trusts without the lock, so the result is not checked.
    if (ftruncate(fd_, 0) != 0) { /* see above */ }
    Flock(fd_, LOCK_UN);
  }
  close(fd_);
  fd_ = -1;
}

Result<InstanceLock> InstanceLock::Acquire(const std::string& db_path, const std::string& command) {
  const std::string path = LockPath(db_path);
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return OpenError(path, errno);

  // A read-only command probing with IsHeld() holds the lock for a few
  // microseconds; retry briefly so such a probe never refuses a real run.
  constexpr int kTries = 10;
  for (int attempt = 1;; ++attempt) {
    if (Flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    int err = errno;
    if (err != EWOULDBLOCK) {
      close(fd);
      return MakeError(ErrorKind::kIo, "cannot lock " + path + ": " + std::strerror(err));
    }
    if (attempt == kTries) {
      std::string holder = DescribeHolder(fd);
      close(fd);
      return MakeError(ErrorKind::kBusy, "another boletos run holds " + db_path + " (" + holder +
                                             "): wait for it to finish or stop it");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  InstanceLock lock(fd, path);
  nlohmann::json info = {{"pid", static_cast<long long>(getpid())},
                         {"host", ThisHostName()},
                         {"since", NowIso()},
                         {"command", command}};
  std::string text = info.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    // We hold the lock; only the note for a refused second run is missing.
    // Refusing to run for that would be worse than a vaguer message there.
  }
  return lock;
}

bool InstanceLock::IsHeld(const std::string& db_path) { return LockProbe::Take(db_path).run_alive(); }

LockProbe LockProbe::Take(const std::string& db_path) {
  // Created if missing: a probe of no file would hold nothing, and a run
  // could create the file and start while the caller acts on "free".
  int fd = open(InstanceLock::LockPath(db_path).c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return LockProbe(-1);
  if (Flock(fd, LOCK_SH | LOCK_NB) != 0) {
    close(fd);
    return LockProbe(-1);
  }
  return LockProbe(fd);
}

LockProbe::~LockProbe() {
  if (fd_ < 0) return;
  Flock(fd_, LOCK_UN);
  close(fd_);
}

}  // namespace boletos::store
