// Zombie children nobody waits for are reaped, but only once their owner
// has had time to wait for them itself.

#include "ops/stray_reaper.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

using boletos::ops::StrayReaper;
using boletos::ops::ZombieChildren;

namespace {

pid_t ZombieChild() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  // Wait until it is a zombie.
  for (int i = 0; i < 500; ++i) {
    auto z = ZombieChildren();
    if (std::find(z.begin(), z.end(), pid) != z.end()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return pid;
}

bool IsZombieChild(pid_t pid) {
  auto z = ZombieChildren();
  return std::find(z.begin(), z.end(), pid) != z.end();
}

}  // namespace

TEST(StrayReaper, ReapsAZombieNobodyWaitsFor) {
  pid_t pid = ZombieChild();
  ASSERT_TRUE(IsZombieChild(pid));
  StrayReaper reaper(std::chrono::hours(1), std::chrono::milliseconds(0));
  EXPECT_EQ(reaper.ReapOnce(), 1);
  EXPECT_FALSE(IsZombieChild(pid));
  EXPECT_EQ(reaper.reaped(), 1);
}

TEST(StrayReaper, LeavesAYoungZombieToItsOwner) {
  pid_t pid = ZombieChild();
  {
    StrayReaper reaper(std::chrono::hours(1), std::chrono::hours(1));
    EXPECT_EQ(reaper.ReapOnce(), 0);
    EXPECT_TRUE(IsZombieChild(pid));
  }
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);  // the owner still gets it, and its status
}

TEST(StrayReaper, ItsThreadReapsOnItsOwn) {
  pid_t pid = ZombieChild();
  StrayReaper reaper(std::chrono::milliseconds(10), std::chrono::milliseconds(20));
  for (int i = 0; i < 300 && IsZombieChild(pid); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(IsZombieChild(pid));
  EXPECT_EQ(reaper.reaped(), 1);
}
