#include "ops/stray_reaper.h"

#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <spdlog/spdlog.h>

namespace boletos::ops {

std::vector<pid_t> ZombieChildren(const std::string& proc_root) {
  std::vector<pid_t> out;
  DIR* proc = opendir(proc_root.c_str());
  if (!proc) return out;
  pid_t self = getpid();
  while (dirent* e = readdir(proc)) {
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    std::ifstream stat(proc_root + "/" + e->d_name + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // The command name may hold spaces and parentheses: parse after the last ')'.
    auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos || close_paren + 2 >= line.size()) continue;
    char state = 0;
    int ppid = 0;
    if (std::sscanf(line.c_str() + close_paren + 2, "%c %d", &state, &ppid) == 2 && state == 'Z' && ppid == self) {
      out.push_back(pid);
    }
  }
  closedir(proc);
  return out;
}

StrayReaper::StrayReaper(std::chrono::milliseconds every, std::chrono::milliseconds min_age)
    : every_(every), min_age_(min_age), thread_([this] {
        std::unique_lock<std::mutex> lock(mu_);
        while (!cv_.wait_for(lock, every_, [this] { return stopping_; })) {
          lock.unlock();
          ReapOnce();
          lock.lock();
        }
      }) {}

StrayReaper::~StrayReaper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

int StrayReaper::ReapOnce() {
  auto now = std::chrono::steady_clock::now();
  std::vector<pid_t> zombies = ZombieChildren();
  int count = 0;
  std::map<pid_t, std::chrono::steady_clock::time_point> seen;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (pid_t pid : zombies) {
      auto it = first_seen_.find(pid);
      auto since = it == first_seen_.end() ? now : it->second;
      if (now - since >= min_age_) {
        int status = 0;
        // By pid, never waitpid(-1): that could take a child its owner is
        // about to wait for.
        if (waitpid(pid, &status, WNOHANG) == pid) {
          ++count;
          continue;
        }
      }
      seen[pid] = since;
    }
    first_seen_ = std::move(seen);  // forget pids that are gone
  }
  if (count > 0) {
    reaped_ += count;
    spdlog::debug("reaped {} stray zombie process(es)", count);
  }
  return count;
}

}  // namespace boletos::ops
