// At most one run per database; a second one is refused at once, naming
// the holder; a dead holder never blocks the next run.

#include "store/instance_lock.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "store_test_support.h"

namespace boletos::store {
namespace {

using testing::TempDir;

// A child process that takes the lock, says so on a pipe, then either
// waits to be told to exit or dies at once without cleaning up.
class LockHolder {
 public:
  LockHolder(const std::string& db, bool die_at_once) {
    EXPECT_EQ(pipe(ready_), 0);
    EXPECT_EQ(pipe(go_), 0);
    pid_ = fork();
    if (pid_ == 0) {
      auto lock = InstanceLock::Acquire(db, "boletos run --period 2026-12");
      char c = lock.ok() ? 'y' : 'n';
      if (write(ready_[1], &c, 1) != 1) _exit(3);
      if (!die_at_once && read(go_[0], &c, 1) != 1) _exit(4);
      _exit(0);  // no destructors: like a kill -9
    }
    char c = 0;
    EXPECT_EQ(read(ready_[0], &c, 1), 1);
    EXPECT_EQ(c, 'y');
    if (die_at_once) Reap();
  }
  ~LockHolder() {
    char c = 'x';
    if (write(go_[1], &c, 1) != 1) { /* the child has gone already */ }
    Reap();
    for (int fd : {ready_[0], ready_[1], go_[0], go_[1]}) close(fd);
  }
  pid_t pid() const { return pid_; }
  void Reap() {
    if (pid_ > 0 && !reaped_) {
      int status = 0;
      EXPECT_EQ(waitpid(pid_, &status, 0), pid_);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
      reaped_ = true;
    }
  }

 private:
  int ready_[2] = {-1, -1}, go_[2] = {-1, -1};
  pid_t pid_ = -1;
  bool reaped_ = false;
};

std::string Host() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

TEST(InstanceLock, SecondAcquireIsBusyAndNamesHolder) {
  TempDir dir;
  std::string db = dir.File("boletos.db");
  LockHolder holder(db, /*die_at_once=*/false);

  auto start = std::chrono::steady_clock::now();
  auto second = InstanceLock::Acquire(db, "boletos worker");
  auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.kind(), ErrorKind::kBusy);
  const std::string& m = second.message();
  EXPECT_NE(m.find("another boletos run holds " + db + " (pid " + std::to_string(holder.pid()) + " on host " +
                   Host() + " since 20"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("running `boletos run --period 2026-12`"), std::string::npos) << m;
  EXPECT_NE(m.find("wait for it to finish or stop it"), std::string::npos) << m;
  EXPECT_LT(waited, std::chrono::seconds(1));  // refuses at once
  EXPECT_TRUE(InstanceLock::IsHeld(db));
}

TEST(InstanceLock, DeadHolderIsTakenOver) {
  TempDir dir;
  std::string db = dir.File("boletos.db");
  LockHolder holder(db, /*die_at_once=*/true);
  EXPECT_FALSE(InstanceLock::IsHeld(db));
  auto lock = InstanceLock::Acquire(db, "boletos run");
  ASSERT_TRUE(lock.ok()) << lock.message();
  EXPECT_TRUE(InstanceLock::IsHeld(db));
}

TEST(InstanceLock, ReleasedWhenDestroyedAndMovable) {
  TempDir dir;
  std::string db = dir.File("boletos.db");
  EXPECT_FALSE(InstanceLock::IsHeld(db));  // no lock file yet
  {
    auto lock = InstanceLock::Acquire(db, "boletos run");
    ASSERT_TRUE(lock.ok()) << lock.message();
    InstanceLock moved = std::move(lock).value();
    EXPECT_TRUE(moved.held());
    EXPECT_TRUE(InstanceLock::IsHeld(db));
    EXPECT_EQ(InstanceLock::Acquire(db, "again").kind(), ErrorKind::kBusy);  // also within one process
  }
  EXPECT_FALSE(InstanceLock::IsHeld(db));
  EXPECT_TRUE(InstanceLock::Acquire(db, "boletos run").ok());
}

TEST(InstanceLock, AProbeDoesNotRefuseARealRun) {
  TempDir dir;
  std::string db = dir.File("boletos.db");
  { ASSERT_TRUE(InstanceLock::Acquire(db, "create the file").ok()); }
  std::atomic<bool> stop{false};
  std::thread prober([&] {
    while (!stop) InstanceLock::IsHeld(db);
  });
  int acquired = 0;
  for (int i = 0; i < 20; ++i) acquired += InstanceLock::Acquire(db, "boletos run").ok() ? 1 : 0;
  stop = true;
  prober.join();
  EXPECT_EQ(acquired, 20);
}

TEST(InstanceLock, AForkedChildDoesNotReleaseTheParentsLock) {
  TempDir dir;
  std::string db = dir.File("boletos.db");
  auto lock = InstanceLock::Acquire(db, "boletos run");
  ASSERT_TRUE(lock.ok());
  pid_t pid = fork();
  if (pid == 0) {
    lock->Release();  // the child's copy: closes, must not unlock
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(InstanceLock::IsHeld(db));
}

TEST(InstanceLock, AnExecedChildDoesNotInheritTheLock) {
  TempDir dir;
  std::string db = dir.File("boletos.db");
  auto lock = InstanceLock::Acquire(db, "boletos run");
  ASSERT_TRUE(lock.ok());
  pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait for the exec, then look at the child's open files.
  std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  bool inherited = false;
  for (int i = 0; i < 200; ++i) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
    if (!ec && exe.filename() == "sleep") {
      for (const auto& entry : std::filesystem::directory_iterator(fd_dir, ec)) {
        auto target = std::filesystem::read_symlink(entry.path(), ec);
        if (!ec && target.string() == InstanceLock::LockPath(db)) inherited = true;
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_FALSE(inherited);
  lock->Release();
  EXPECT_FALSE(InstanceLock::IsHeld(db));
}

TEST(InstanceLock, MissingFolderIsBadInput) {
  TempDir dir;
  auto r = InstanceLock::Acquire(dir.File("nope") + "/boletos.db", "boletos run");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kBadInput);
  EXPECT_NE(r.message().find("database folder " + dir.File("nope") + " does not exist"), std::string::npos)
      << r.message();
}

}  // namespace
}  // namespace boletos::store
