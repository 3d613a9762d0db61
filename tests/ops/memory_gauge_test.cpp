// MemorySampler and MemoryGauge over a fake /proc: which processes count,
// when PSS is read in full and how it is estimated in between.

#include "ops/memory_gauge.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace boletos::ops;
namespace fs = std::filesystem;

namespace {

class FakeProc {
 public:
  FakeProc() : root_(fs::temp_directory_path() / ("boletos-fake-proc-" + std::to_string(getpid()))) {
    fs::remove_all(root_);
    fs::create_directories(root_ / "self");
    Write("self/status", "Name:\tboletos\nVmRSS:\t   12000 kB\n");
  }
  ~FakeProc() { fs::remove_all(root_); }

  // A process of group pgrp with this RSS and PSS (kB); state 'S' or 'Z'.
  void Process(int pid, int pgrp, int64_t rss_kb, int64_t pss_kb, char state = 'S') {
    std::string p = std::to_string(pid);
    fs::create_directories(root_ / p);
    Write(p + "/stat", p + " (chromium) " + state + " 1 " + std::to_string(pgrp) + " 0 0\n");
    const int64_t page_kb = sysconf(_SC_PAGESIZE) / 1024;
    Write(p + "/statm", "900000 " + std::to_string(rss_kb / page_kb) + " 100 10 0 500 0\n");
    Write(p + "/smaps_rollup", "00400000-7fff0000 ---p 00000000 00:00 0 [rollup]\nRss:  " + std::to_string(rss_kb) +
                                   " kB\nPss:  " + std::to_string(pss_kb) + " kB\n");
  }
  // The same with the kinds of pages a kernel since 5.8 adds to smaps_rollup.
  void ProcessWithKinds(int pid, int pgrp, int64_t rss_kb, int64_t pss_kb, int64_t anon_kb, int64_t shmem_kb) {
    Process(pid, pgrp, rss_kb, pss_kb);
    std::string p = std::to_string(pid);
    Write(p + "/smaps_rollup", "00400000-7fff0000 ---p 00000000 00:00 0 [rollup]\nRss:  " + std::to_string(rss_kb) +
                                   " kB\nPss:  " + std::to_string(pss_kb) + " kB\nPss_Anon:  " +
                                   std::to_string(anon_kb) + " kB\nPss_File:  " +
                                   std::to_string(pss_kb - anon_kb - shmem_kb) + " kB\nPss_Shmem:  " +
                                   std::to_string(shmem_kb) + " kB\n");
  }
  void Remove(int pid) { fs::remove_all(root_ / std::to_string(pid)); }
  MemorySampler Sampler() const { return MemorySampler(root_.string(), (root_ / "no-cgroup").string()); }

 private:
  void Write(const std::string& rel, const std::string& text) { std::ofstream(root_ / rel) << text; }
  fs::path root_;
};

TEST(MemorySampler, SumsThePssOfTheBrowserGroupOnly) {
  FakeProc proc;
  proc.Process(500, 500, 120000, 90000);
  proc.Process(501, 500, 100000, 80000);
  proc.Process(502, 500, 0, 0, 'Z');       // a zombie holds no memory
  proc.Process(600, 600, 300000, 250000);  // another group: not ours
  MemorySnapshot s = proc.Sampler().Sample({500});
  EXPECT_EQ(s.browser_pss_kb, 170000);
  EXPECT_EQ(s.browser_rss_kb, 220000);
  EXPECT_EQ(s.browser_processes, 2);
  EXPECT_EQ(s.worker_rss_kb, 12000);
  EXPECT_FALSE(s.browser_pss_estimated);
}

TEST(MemorySampler, AnRssOnlyReadLeavesThePssUnread) {
  FakeProc proc;
  proc.Process(500, 500, 120000, 90000);
  MemorySnapshot s = proc.Sampler().Sample({500}, MemorySampler::Browser::kRssOnly);
  EXPECT_EQ(s.browser_pss_kb, 0);
  EXPECT_EQ(s.browser_rss_kb, 120000);
  EXPECT_EQ(s.browser_processes, 1);
}

TEST(MemoryGauge, ReadsANewBrowserInFullThenEstimatesFromRssGrowth) {
  FakeProc proc;
  proc.Process(500, 500, 120000, 90000);
  MemoryGauge gauge(proc.Sampler());
  MemorySnapshot first = gauge.Read({500}, /*full=*/false);
  EXPECT_FALSE(first.browser_pss_estimated);
  EXPECT_EQ(first.browser_pss_kb, 90000);

  proc.Process(500, 500, 130000, 95000);  // +10 MB RSS, +5 MB PSS
  proc.Process(501, 500, 40000, 30000);   // a renderer: +40 MB RSS
  MemorySnapshot estimated = gauge.Read({500}, false);
  EXPECT_TRUE(estimated.browser_pss_estimated);
  EXPECT_EQ(estimated.browser_pss_kb, 90000 + 50000);  // errs high: the real PSS is 125000
  EXPECT_EQ(estimated.browser_processes, 2);

  MemorySnapshot full = gauge.Read({500}, true);
  EXPECT_FALSE(full.browser_pss_estimated);
  EXPECT_EQ(full.browser_pss_kb, 125000);
}

TEST(MemoryGauge, ShrinkingRssLeavesTheEstimateAtTheLastFullRead) {
  FakeProc proc;
  proc.Process(500, 500, 120000, 90000);
  proc.Process(501, 500, 40000, 30000);
  MemoryGauge gauge(proc.Sampler());
  EXPECT_EQ(gauge.Read({500}, true).browser_pss_kb, 120000);
  proc.Remove(501);
  MemorySnapshot s = gauge.Read({500}, false);
  EXPECT_TRUE(s.browser_pss_estimated);
  EXPECT_EQ(s.browser_pss_kb, 120000);
}

TEST(MemoryGauge, AnotherBrowserIsReadInFull) {
  FakeProc proc;
  proc.Process(500, 500, 120000, 90000);
  proc.Process(700, 700, 60000, 50000);
  MemoryGauge gauge(proc.Sampler());
  gauge.Read({500}, true);
  MemorySnapshot s = gauge.Read({700}, false);  // after a recycle: no figure to estimate from
  EXPECT_FALSE(s.browser_pss_estimated);
  EXPECT_EQ(s.browser_pss_kb, 50000);
}

TEST(MemoryGauge, TheLineSaysWhenThePssIsAnEstimate) {
  MemorySnapshot s;
  s.browser_pss_kb = 2048;
  s.browser_processes = 2;
  s.browser_pss_estimated = true;
  EXPECT_NE(FormatMemoryLine(s).find("browser PSS ~2.0 MB (estimated, 2 processes)"), std::string::npos)
      << FormatMemoryLine(s);
}

}  // namespace

TEST(MemorySampler, CountsEveryBrowserAskedForAndWhatIsTheirOwn) {
  FakeProc proc;
  proc.ProcessWithKinds(500, 500, 120000, 90000, 30000, 5000);  // the current browser
  proc.ProcessWithKinds(501, 500, 80000, 60000, 20000, 1000);
  proc.ProcessWithKinds(700, 700, 70000, 40000, 15000, 2000);  // the next one, starting ahead
  proc.ProcessWithKinds(900, 900, 50000, 45000, 40000, 0);     // not a browser of ours
  MemorySnapshot s = proc.Sampler().Sample({500, 700});
  EXPECT_EQ(s.browsers, 2);
  EXPECT_EQ(s.browser_processes, 3);
  EXPECT_EQ(s.browser_pss_kb, 90000 + 60000 + 40000);
  // Anonymous and shared memory only: the file pages are the other browser's too.
  EXPECT_EQ(s.browser_pss_own_kb, (30000 + 5000) + (20000 + 1000) + (15000 + 2000));
  EXPECT_NE(FormatMemoryLine(s).find("(3 processes in 2 browsers)"), std::string::npos) << FormatMemoryLine(s);
}

TEST(MemorySampler, WithoutPssAnonAllOfThePssCountsAsTheBrowsersOwn) {
  FakeProc proc;
  proc.Process(500, 500, 120000, 90000);  // a kernel before 5.8
  MemorySnapshot s = proc.Sampler().Sample({500});
  EXPECT_EQ(s.browser_pss_own_kb, 90000);
  EXPECT_EQ(FormatMemoryLine(s).find("browsers"), std::string::npos) << FormatMemoryLine(s);
}

TEST(MemoryGauge, ABrowserStartingBesideTheCurrentOneIsReadInFull) {
  FakeProc proc;
  proc.Process(500, 500, 120000, 90000);
  proc.Process(700, 700, 60000, 50000);
  MemoryGauge gauge(proc.Sampler());
  gauge.Read({500}, true);
  EXPECT_TRUE(gauge.Read({500}, false).browser_pss_estimated);
  MemorySnapshot both = gauge.Read({500, 700}, false);  // no figure for the pair yet
  EXPECT_FALSE(both.browser_pss_estimated);
  EXPECT_EQ(both.browser_pss_kb, 140000);
  MemorySnapshot next_alone = gauge.Read({700}, false);  // after the recycle
  EXPECT_FALSE(next_alone.browser_pss_estimated);
  EXPECT_EQ(next_alone.browser_pss_kb, 50000);
}
