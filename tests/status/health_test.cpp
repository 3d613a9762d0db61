// /healthz's verdict with a clock the test moves: alive and not stuck, and
// the browser healthy; otherwise 503 with the reason.

#include "status/health.h"

#include <gtest/gtest.h>

using namespace boletos;
using namespace boletos::status;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

struct FakeTime {
  Clock::time_point t = Clock::time_point() + std::chrono::hours(100);
  std::function<Clock::time_point()> fn() {
    return [this] { return t; };
  }
};

HealthVerdict Judge(const LiveStatus& live) { return JudgeHealth(live.Read(), HealthPolicy{}); }

}  // namespace

TEST(Health, StartingIsHealthyUntilTheSetUpTakesLongerThanTheLimit) {
  FakeTime time;
  LiveStatus live(512, time.fn());
  live.CycleStarting("2026-12");
  EXPECT_TRUE(Judge(live).healthy) << Judge(live).text;
  time.t += minutes(6);
  HealthVerdict v = Judge(live);
  EXPECT_FALSE(v.healthy);
  EXPECT_NE(v.text.find("set-up of cycle 1 has taken 360 s"), std::string::npos) << v.text;
}

TEST(Health, ARunIsStuckWhenNoClientFinishedWithinTheLimit) {
  FakeTime time;
  LiveStatus live(512, time.fn());
  jobs::LiveProgress p;
  p.totals.planned = 4;
  p.current_client = "c2";
  p.last_progress = time.t;
  p.position = 2;
  live.Attach(7, "2026-12", [&p] { return p; });
  time.t += minutes(4);
  HealthVerdict ok = Judge(live);
  EXPECT_TRUE(ok.healthy) << ok.text;
  EXPECT_NE(ok.text.find("run 7, 2/4 clients"), std::string::npos) << ok.text;
  time.t += minutes(2);
  HealthVerdict stuck = Judge(live);
  EXPECT_FALSE(stuck.healthy);
  EXPECT_NE(stuck.text.find("no client finished for 360 s"), std::string::npos) << stuck.text;
  EXPECT_NE(stuck.text.find("client in flight: c2"), std::string::npos) << stuck.text;
  p.last_progress = time.t;  // a client finishes: healthy again
  EXPECT_TRUE(Judge(live).healthy);
  live.Detach();
}

TEST(Health, TheThresholdIsInjectable) {
  FakeTime time;
  LiveStatus live(512, time.fn());
  live.CycleStarting("2026-12");
  time.t += seconds(2);
  HealthPolicy policy;
  policy.stuck_after = seconds(1);
  EXPECT_FALSE(JudgeHealth(live.Read(), policy).healthy);
  policy.stuck_after = seconds(3);
  EXPECT_TRUE(JudgeHealth(live.Read(), policy).healthy);
}

TEST(Health, WaitingIsHealthyUntilTheNextRunIsOverdue) {
  FakeTime time;
  LiveStatus live(512, time.fn());
  live.Waiting(time.t + std::chrono::hours(6));
  HealthVerdict v = Judge(live);
  EXPECT_TRUE(v.healthy);
  EXPECT_NE(v.text.find("next run starts in 21600 s"), std::string::npos) << v.text;
  time.t += std::chrono::hours(6) + minutes(4);
  EXPECT_TRUE(Judge(live).healthy);
  time.t += minutes(2);
  v = Judge(live);
  EXPECT_FALSE(v.healthy);
  EXPECT_NE(v.text.find("next run was due 360 s ago"), std::string::npos) << v.text;
}

TEST(Health, ABrowserThatKeepsDyingIsUnhealthyAndASuccessClearsIt) {
  FakeTime time;
  LiveStatus live(512, time.fn());
  jobs::LiveProgress p;
  p.last_progress = time.t;
  live.Attach(1, "2026-12", [&p] { return p; });
  live.AttemptEnded(true, 1, 100);
  live.AttemptEnded(true, 1, 101);
  EXPECT_TRUE(Judge(live).healthy);
  live.AttemptEnded(true, 1, 102);
  HealthVerdict v = Judge(live);
  EXPECT_FALSE(v.healthy);
  EXPECT_NE(v.text.find("died during the last 3 attempts"), std::string::npos) << v.text;
  EXPECT_EQ(live.Read().browser_restarts, 3);
  live.AttemptEnded(false, 0, 102);
  EXPECT_TRUE(Judge(live).healthy);
  live.Detach();
}

TEST(Health, MemoryOverTheLimitIsUnhealthy) {
  FakeTime time;
  LiveStatus live(512, time.fn());
  jobs::LiveProgress p;
  p.last_progress = time.t;
  p.memory.worker_rss_kb = 40 * 1024;
  p.memory.browser_pss_kb = 400 * 1024;
  live.Attach(1, "2026-12", [&p] { return p; });
  EXPECT_TRUE(Judge(live).healthy);
  p.memory.browser_pss_kb = 500 * 1024;
  HealthVerdict v = Judge(live);
  EXPECT_FALSE(v.healthy);
  EXPECT_NE(v.text.find("540 MB, over --memory-limit 512 MB"), std::string::npos) << v.text;
  live.Detach();
}

TEST(Health, AStopRequestIsReportedAtOnce) {
  FakeTime time;
  LiveStatus live(512, time.fn());
  bool stop = false;
  live.WatchStop([&stop] { return stop; });
  live.Waiting(time.t + minutes(10));
  EXPECT_TRUE(Judge(live).healthy);
  stop = true;
  HealthVerdict v = Judge(live);
  EXPECT_FALSE(v.healthy);
  EXPECT_EQ(v.text.rfind("stopping", 0), 0u) << v.text;
}

TEST(LiveStatus, CountersAddUpOverRunsAndTheLastRunStaysVisible) {
  FakeTime time;
  LiveStatus live(512, time.fn());
  jobs::LiveProgress p;
  p.totals.done = 3;
  p.totals.bytes = 300;
  live.Attach(1, "2026-12", [&p] { return p; });
  time.t += seconds(90);
  live.Detach();
  p.totals.done = 2;
  p.totals.bytes = 200;
  live.Attach(2, "2026-12", [&p] { return p; });
  LiveSnapshot s = live.Read();
  EXPECT_EQ(s.cumulative.done, 5);
  EXPECT_EQ(s.cumulative.bytes, 500);
  live.Detach();
  p.totals.done = 99;  // a detached run is never read again
  s = live.Read();
  EXPECT_FALSE(s.run_active);
  EXPECT_EQ(s.run_id, 2);
  EXPECT_EQ(s.progress.totals.done, 2);
  EXPECT_EQ(s.cumulative.done, 5);
}
