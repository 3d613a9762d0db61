// SPEC "Guarantees" and "Exit codes": one run per database (75 for the
// second, naming the holder); SIGTERM/SIGINT stop cleanly (143/130) within
// the grace period, the run is recorded as interrupted and the last log line
// says so; no Chromium process outlives the worker.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <regex>

#include <thread>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of("\n");
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

std::string Host() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

TEST(Lock, ASecondRunOnTheSameDatabaseExits75AtOnceNamingPidHostAndSince) {
  Workspace ws(6);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  auto first = ws.Spawn(ws.RunArgs());
  ASSERT_TRUE(first->WaitForOutput("browser started", Ms(30000))) << first->out() << first->err();

  auto t0 = Clock::now();
  Outcome second = ws.Boletos(ws.RunArgs());
  auto took = std::chrono::duration_cast<Ms>(Clock::now() - t0);
  EXPECT_EQ(second.code, 75) << second.all();
  EXPECT_LT(took.count(), 3000) << "the second run did not refuse at once";
  std::string said = second.all();
  EXPECT_NE(said.find("pid " + std::to_string(first->pid())), std::string::npos) << said;
  EXPECT_NE(said.find(Host()), std::string::npos) << said;
  EXPECT_TRUE(std::regex_search(said, std::regex(R"(since \d{4}-\d\d-\d\dT)"))) << said;
  EXPECT_EQ(said.find("browser started"), std::string::npos) << said;

  EXPECT_EQ(first->Wait(Ms(60000)), 0) << first->out();
  OutputCheck check = CheckOutput(ws);
  EXPECT_EQ(check.files_verified, 6) << check.Describe();
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(3000)));
}

TEST(Lock, AHolderKilledWithSigkillIsRecognisedAndItsLockTakenOver) {
  Workspace ws(4);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  auto holder = ws.Spawn(ws.RunArgs());
  ASSERT_TRUE(holder->WaitForOutput("browser started", Ms(30000))) << holder->out();
  holder->Signal(SIGKILL);
  ASSERT_EQ(holder->Wait(Ms(5000)), 128 + SIGKILL);

  Outcome next = ws.Boletos(ws.RunArgs());
  EXPECT_EQ(next.code, 0) << next.all();
  EXPECT_NE(next.out.find("pid " + std::to_string(holder->pid())), std::string::npos)
      << "the next run did not say which run died:\n" << next.out;
  EXPECT_NE(next.out.find("died without a clean exit"), std::string::npos) << next.out;
  Json status = ws.StatusJson();
  ASSERT_GE(status["runs"].size(), 2u) << status.dump(2);
  EXPECT_EQ(status["runs"][1]["outcome"], "crashed") << status.dump(2);
  EXPECT_EQ(status["runs"][0]["outcome"], "finished") << status.dump(2);
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(3000)));
}

// Stops a run after its first client with sig; returns the exit code.
struct StoppedRun {
  int code = -1;
  std::string out;
  Json status;
};

StoppedRun StopAfterFirstClient(Workspace& ws, int sig) {
  StoppedRun r;
  auto run = ws.Spawn(ws.RunArgs({"--grace", "10s"}));
  if (!run->WaitForOutput(" done in ", Ms(30000))) {
    ADD_FAILURE() << "no client done: " << run->out() << run->err();
    return r;
  }
  run->Signal(sig);
  r.code = run->Wait(Ms(15000)).value_or(-1);
  r.out = run->out();
  r.status = ws.StatusJson();
  return r;
}

TEST(Signals, SigtermMidRunExits143AndTheRunIsRecordedInterruptedWithNoBrowserLeft) {
  Workspace ws(8);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  StoppedRun r = StopAfterFirstClient(ws, SIGTERM);
  EXPECT_EQ(r.code, 143) << r.out;
  EXPECT_NE(LastLine(r.out).find("interrupted by SIGTERM"), std::string::npos) << LastLine(r.out);
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(1000))) << "a browser outlived the worker";
  ASSERT_FALSE(r.status["runs"].empty()) << r.status.dump(2);
  EXPECT_EQ(r.status["runs"][0]["outcome"], "interrupted") << r.status.dump(2);
  EXPECT_TRUE(r.status["crashed_run"].is_null());
  int done = r.status["counts"]["done"].get<int>();
  EXPECT_GE(done, 1);
  EXPECT_LT(done, 8) << "SIGTERM did not stop the run";

  // The next run takes the rest.
  Outcome rest = ws.Boletos(ws.RunArgs());
  EXPECT_EQ(rest.code, 0) << rest.all();
  OutputCheck check = CheckOutput(ws);
  EXPECT_EQ(check.files_verified, 8) << check.Describe();
  EXPECT_TRUE(check.problems.empty()) << check.Describe();
}

TEST(Signals, SigintMidRunExits130AndTheLastLineSaysInterrupted) {
  Workspace ws(6);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  StoppedRun r = StopAfterFirstClient(ws, SIGINT);
  EXPECT_EQ(r.code, 130) << r.out;
  EXPECT_NE(LastLine(r.out).find("interrupted by SIGINT"), std::string::npos) << LastLine(r.out);
  ASSERT_FALSE(r.status["runs"].empty());
  EXPECT_EQ(r.status["runs"][0]["outcome"], "interrupted");
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(1000))) << "a browser outlived the worker";
}

TEST(Signals, TheClientInFlightOnAStalledPortalIsAbandonedWithinTheGracePeriod) {
  Workspace ws(3);
  ws.StartPortal("stall=1,stall_ms=60000");
  ASSERT_EQ(ws.Import().code, 0);
  auto run = ws.Spawn(ws.RunArgs({"--grace", "2s"}));
  // The search (the first faulted request) hangs: the client is in flight.
  auto deadline = Clock::now() + Ms(30000);
  while (ws.PortalStats().value("searches", 0) < 1 && Clock::now() < deadline && run->running()) {
    std::this_thread::sleep_for(Ms(20));
  }
  ASSERT_GE(ws.PortalStats().value("searches", 0), 1) << run->out() << run->err();

  auto t0 = Clock::now();
  run->Signal(SIGTERM);
  auto code = run->Wait(Ms(12000));
  auto took = std::chrono::duration_cast<Ms>(Clock::now() - t0);
  ASSERT_TRUE(code.has_value()) << "still running 12 s after SIGTERM with --grace 2s\n" << run->out();
  EXPECT_EQ(*code, 143) << run->out();
  EXPECT_GE(took.count(), 1800) << "the client in flight was not given its grace period";
  EXPECT_LT(took.count(), 6000) << "the grace period was not honoured";
  EXPECT_NE(run->out().find("abandon"), std::string::npos) << run->out();
  EXPECT_NE(LastLine(run->out()).find("interrupted by SIGTERM"), std::string::npos) << LastLine(run->out());
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(1000))) << "a browser outlived the worker";
  // Abandoned is not the client's fault: no attempt is counted.
  auto rows = ws.Rows();
  EXPECT_EQ(rows["c001"]["attempts"], 0) << rows["c001"].dump();
  EXPECT_EQ(rows["c001"]["status"], "pending") << rows["c001"].dump();
}

}  // namespace
}  // namespace boletos::e2e
