#pragma once
// Counts the processes and folders a test leaves behind: the leak check
// chromedp's tests make after every browser.

#include <dirent.h>
#include <sys/types.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace boletos::test_support {

// Processes in process group pgid; zombies (exited, not yet reaped) too
// unless live_only.
inline int CountGroup(pid_t pgid, bool live_only) {
  int count = 0;
  DIR* proc = opendir("/proc");
  if (!proc) return -1;
  while (dirent* e = readdir(proc)) {
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos) continue;
    // After ") ": state ppid pgrp ...
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (std::sscanf(line.c_str() + close_paren + 2, "%c %d %d", &state, &ppid, &pgrp) != 3 || pgrp != pgid) continue;
    if (live_only && (state == 'Z' || state == 'X')) continue;
    ++count;
  }
  closedir(proc);
  return count;
}

// Processes (zombies included) whose process group is pgid.
inline int ProcessesInGroup(pid_t pgid) { return CountGroup(pgid, false); }

// Processes of group pgid still running (zombies not counted).
inline int LiveProcessesInGroup(pid_t pgid) { return CountGroup(pgid, true); }

// Zombie children of this process.
inline int ZombieChildren() {
  int count = 0;
  DIR* proc = opendir("/proc");
  if (!proc) return -1;
  while (dirent* e = readdir(proc)) {
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::string(e->d_name) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    auto close_paren = line.rfind(')');
    char state = 0;
    int ppid = 0;
    if (close_paren != std::string::npos &&
        std::sscanf(line.c_str() + close_paren + 2, "%c %d", &state, &ppid) == 2 && state == 'Z' &&
        ppid == getpid()) {
      ++count;
    }
  }
  closedir(proc);
  return count;
}

}  // namespace boletos::test_support
