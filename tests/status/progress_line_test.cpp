// ProgressText: what the terminal's progress line says of a snapshot.

#include "status/progress_line.h"

#include <gtest/gtest.h>

using namespace boletos;
using namespace boletos::status;

namespace {

LiveSnapshot Running(int done, int planned, std::chrono::seconds took) {
  LiveSnapshot s;
  s.phase = LoopPhase::kRunning;
  s.run_active = true;
  s.progress.totals.done = done;
  s.progress.totals.planned = planned;
  s.run_duration = took;
  s.memory_limit_kb = 512 * 1024;
  return s;
}

}  // namespace

TEST(ProgressText, SaysDoneOfTheTotalTheRateTheTimeLeftAndTheMemory) {
  LiveSnapshot s = Running(10, 40, std::chrono::seconds(5));
  s.progress.memory.browser_pss_kb = 150 * 1024;
  s.progress.memory.worker_rss_kb = 20 * 1024;
  EXPECT_EQ(ProgressText(s), "10/40 done, 2.0/s, about 15 s left, memory 170.0 MB of 512.0 MB");
}

TEST(ProgressText, CountsClientsGivenUpAsEndedAndSaysFailedAttempts) {
  LiveSnapshot s = Running(10, 40, std::chrono::seconds(5));
  s.progress.totals.gave_up = 10;
  s.progress.totals.failed_attempts = 60;
  EXPECT_EQ(ProgressText(s), "10/40 done, 2.0/s, about 10 s left, 60 failed attempts");
}

TEST(ProgressText, NoTimeLeftBeforeTheFirstDownloadAndNoLineBetweenRuns) {
  EXPECT_EQ(ProgressText(Running(0, 40, std::chrono::seconds(3))), "0/40 done, 0.0/s");
  LiveSnapshot idle;
  EXPECT_EQ(ProgressText(idle), "");
  LiveSnapshot waiting;
  waiting.phase = LoopPhase::kWaiting;
  waiting.now = std::chrono::steady_clock::now();
  waiting.next_run = waiting.now + std::chrono::seconds(35);
  EXPECT_EQ(ProgressText(waiting), "waiting for the next cycle, in 35 s");
}
