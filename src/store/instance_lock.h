#pragma once
// InstanceLock: at most one `run`/`worker` per database. An exclusive
// flock on "<db path>.lock", which the kernel drops when the holder dies
// however it dies, so a dead holder never blocks the next run. The holder
// writes who it is (pid, host, since, command) into the file, so a refused
// second run can name it. The file itself is never deleted: deleting a
// flock'ed file lets two processes lock two different inodes.
// The descriptor is O_CLOEXEC, so Chromium (fork + exec) never inherits it
// and cannot keep the lock alive after the worker is gone.

#include <string>
#include <sys/types.h>

#include "core/result.h"

namespace boletos::store {

class InstanceLock {
 public:
  // Takes the lock for db_path. kBusy if another process holds it, with
  // "another boletos run holds DB (pid P on host H since T, ...): wait for
  // it to finish or stop it". kBadInput if the database folder is missing,
  // kIo if the lock file cannot be opened.
  static Result<InstanceLock> Acquire(const std::string& db_path, const std::string& command);

  // Whether some process holds the lock now. A probe that fails for an
  // unexpected reason answers true: never declare a live run dead. Only an
  // answer: to act on "free", hold a LockProbe while acting.
  static bool IsHeld(const std::string& db_path);

  static std::string LockPath(const std::string& db_path) { return db_path + ".lock"; }

  InstanceLock(InstanceLock&& other) noexcept;
  InstanceLock& operator=(InstanceLock&& other) noexcept;
  InstanceLock(const InstanceLock&) = delete;
  InstanceLock& operator=(const InstanceLock&) = delete;
  ~InstanceLock();

  // Releases now (the destructor does it otherwise). Only the process that
  // acquired the lock unlocks it; a forked child that did not exec just
  // closes its copy of the descriptor.
  void Release();
  bool held() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

 private:
  InstanceLock(int fd, std::string path);

  int fd_ = -1;
  pid_t owner_ = 0;
  std::string path_;
};

// A shared hold on the instance lock, taken only when no run/worker holds
// it. While it lives no run can start (Acquire retries for ~200 ms, so keep
// it to milliseconds): a command that found no run may mark `running` rows
// crashed without a run starting in between. Any unexpected failure counts
// as a run alive.
class LockProbe {
 public:
  static LockProbe Take(const std::string& db_path);
  bool run_alive() const { return fd_ < 0; }

  LockProbe(LockProbe&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  LockProbe& operator=(LockProbe&&) = delete;
  LockProbe(const LockProbe&) = delete;
  LockProbe& operator=(const LockProbe&) = delete;
  ~LockProbe();

 private:
  explicit LockProbe(int fd) : fd_(fd) {}
  int fd_ = -1;  // holds LOCK_SH; -1: a run holds the lock (or the probe failed)
};

}  // namespace boletos::store
