#pragma once
// StrayReaper: reaps zombie children nobody else will. Chromium's helpers
// come to us when they are orphaned (cdp makes us a child subreaper), and
// in a container the worker is PID 1, the parent of every orphan there.
// BrowserProcess reaps its own group; anything else would stay a zombie
// for the life of the worker. A zombie is reaped only after it has been
// one for min_age, so the owner of a child (BrowserProcess, which reads
// its browser's exit status) always gets there first.

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace boletos::ops {

// One pass: the zombie children of this process, by pid.
std::vector<pid_t> ZombieChildren(const std::string& proc_root = "/proc");

class StrayReaper {
 public:
  // Looks every `every`; reaps zombies first seen at least min_age ago.
  explicit StrayReaper(std::chrono::milliseconds every = std::chrono::seconds(10),
                       std::chrono::milliseconds min_age = std::chrono::seconds(60));
  ~StrayReaper();  // stops and joins the thread
  StrayReaper(const StrayReaper&) = delete;
  StrayReaper& operator=(const StrayReaper&) = delete;

  // One pass now (the thread calls it too); returns how many it reaped.
  int ReapOnce();
  int reaped() const { return reaped_.load(); }

 private:
  std::chrono::milliseconds every_;
  std::chrono::milliseconds min_age_;
  std::map<pid_t, std::chrono::steady_clock::time_point> first_seen_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<int> reaped_{0};
  std::thread thread_;
};

}  // namespace boletos::ops
