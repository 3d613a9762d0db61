#include "ops/memory_sampler.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/units.h"

namespace boletos::ops {
namespace {

// Reads the "Key:   123 kB" fields asked for from a /proc status-like file
// in one pass (a read of smaps_rollup is what costs: the kernel walks the
// page tables for each). A key the file lacks stays -1.
void ReadKbFields(const std::string& path, std::initializer_list<std::pair<const char*, int64_t*>> fields) {
  for (const auto& [key, value] : fields) *value = -1;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    for (const auto& [key, value] : fields) {
      size_t n = std::strlen(key);
      if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':') *value = std::atoll(line.c_str() + n + 1);
    }
  }
}

int64_t ReadKbField(const std::string& path, const char* key) {
  int64_t value = -1;
  ReadKbFields(path, {{key, &value}});
  return value;
}

int64_t ReadNumber(const std::string& path) {
  std::ifstream in(path);
  std::string v;
  if (!(in >> v)) return -1;
  if (v == "max") return -2;
  return std::atoll(v.c_str());
}

// Resident pages (statm's second field) in kB.
int64_t ReadStatmRssKb(const std::string& path) {
  std::ifstream in(path);
  int64_t size = 0, resident = -1;
  if (!(in >> size >> resident)) return -1;
  static const int64_t page_kb = sysconf(_SC_PAGESIZE) / 1024;
  return resident * page_kb;
}

}  // namespace

MemorySampler::MemorySampler(std::string proc_root, std::string cgroup_root)
    : proc_(std::move(proc_root)), cgroup_(std::move(cgroup_root)) {}

MemorySnapshot MemorySampler::Sample(const std::vector<pid_t>& browser_pgids, Browser read) const {
  MemorySnapshot s;
  s.worker_rss_kb = std::max<int64_t>(0, ReadKbField(proc_ + "/self/status", "VmRSS"));
  auto counted = [&](int pgrp) {
    return pgrp > 0 && std::find(browser_pgids.begin(), browser_pgids.end(), pgrp) != browser_pgids.end();
  };
  s.browsers = static_cast<int>(std::count_if(browser_pgids.begin(), browser_pgids.end(), [](pid_t p) { return p > 0; }));
  if (s.browsers > 0) {
    if (DIR* dir = opendir(proc_.c_str())) {
      while (dirent* e = readdir(dir)) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        std::ifstream stat(proc_ + "/" + e->d_name + "/stat");
        std::string line;
        if (!std::getline(stat, line)) continue;  // gone since readdir: not an error
        auto paren = line.rfind(')');
        char state = 0;
        int ppid = 0, pgrp = 0;
        if (paren == std::string::npos ||
            std::sscanf(line.c_str() + paren + 2, "%c %d %d", &state, &ppid, &pgrp) != 3 || !counted(pgrp) ||
            state == 'Z') {
          continue;
        }
        const std::string dir = proc_ + "/" + e->d_name;
        int64_t rss = ReadStatmRssKb(dir + "/statm");
        if (rss < 0) continue;  // gone meanwhile
        if (read == Browser::kPss) {
          int64_t pss = -1, anon = -1, shmem = -1;
          ReadKbFields(dir + "/smaps_rollup", {{"Pss", &pss}, {"Pss_Anon", &anon}, {"Pss_Shmem", &shmem}});
          if (pss < 0) continue;
          s.browser_pss_kb += pss;
          // A kernel before 5.8 has no Pss_Anon: then all of its PSS counts.
          s.browser_pss_own_kb += anon < 0 ? pss : anon + std::max<int64_t>(0, shmem);
        }
        s.browser_rss_kb += rss;
        ++s.browser_processes;
      }
      closedir(dir);
    }
  }
  ReadCgroup(s);
  return s;
}

void MemorySampler::ReadCgroup(MemorySnapshot& s) const {
  std::ifstream in(proc_ + "/self/cgroup");
  std::string line;
  std::string v1_path, v2_path;
  bool have_v2 = false;
  while (std::getline(in, line)) {
    // "4:memory:/path" (v1) or "0::/path" (v2)
    auto a = line.find(':');
    auto b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    std::stringstream list(controllers);
    std::string c;
    while (std::getline(list, c, ',')) {
      if (c == "memory") v1_path = path;
    }
    if (line.compare(0, 3, "0::") == 0) {
      v2_path = path;
      have_v2 = true;
    }
  }
  // The two versions' files; a limit at or above no_limit_at (v1's "no
  // limit" is PAGE_COUNTER_MAX pages), or unreadable ("max" in v2), is none.
  struct Files {
    int version;
    const char* usage;
    const char* limit;
  };
  auto read = [&](const std::string& dir, const Files& f) {
    int64_t usage = ReadNumber(dir + f.usage);
    if (usage < 0) return false;
    int64_t limit = ReadNumber(dir + f.limit);
    s.cgroup_version = f.version;
    s.cgroup_usage_kb = usage / 1024;
    s.cgroup_limit_kb = (limit <= 0 || limit >= (int64_t{1} << 60)) ? -1 : limit / 1024;
    return true;
  };
  const Files v1{1, "/memory.usage_in_bytes", "/memory.limit_in_bytes"};
  const Files v2{2, "/memory.current", "/memory.max"};
  if (!v1_path.empty() && (read(cgroup_ + "/memory" + v1_path, v1) || read(cgroup_ + "/memory", v1))) return;
  if (have_v2 && (read(cgroup_ + v2_path, v2) || read(cgroup_, v2))) return;
}

std::string FormatMemoryLine(const MemorySnapshot& s) {
  std::string line = "memory: worker RSS " + Megabytes(s.worker_rss_kb) + ", browser PSS " +
                     (s.browser_pss_estimated ? "~" + Megabytes(s.browser_pss_kb) + " (estimated, " : Megabytes(s.browser_pss_kb) + " (") +
                     std::to_string(s.browser_processes) + " processes" +
                     (s.browsers > 1 ? " in " + std::to_string(s.browsers) + " browsers)" : ")");
  if (s.cgroup_version == 0) return line + ", cgroup: none found";
  line += ", cgroup " + Megabytes(s.cgroup_usage_kb) + " of " +
          (s.cgroup_limit_kb > 0 ? Megabytes(s.cgroup_limit_kb) : std::string("no limit")) + " (v" +
          std::to_string(s.cgroup_version) + ")";
  return line;
}

}  // namespace boletos::ops
