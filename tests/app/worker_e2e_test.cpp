// SPEC "Commands" and "Guarantees" for `boletos worker`: it runs cycle after
// cycle holding the database's lock for its whole life (import does not take
// that lock, so clients can be added while it waits); SIGTERM while it waits
// or during a cycle stops it cleanly (143) within the grace period, the run
// is recorded as interrupted and no Chromium is left. README: a bad --at is
// bad usage (2).

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <regex>
#include <thread>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::string LastLine(const std::string& text) {
  size_t end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  size_t start = text.rfind('\n', end);
  start = start == std::string::npos ? 0 : start + 1;
  return text.substr(start, end - start + 1);
}

std::vector<std::string> WorkerArgs(const Workspace& ws, const std::vector<std::string>& extra) {
  auto args = ws.RunArgs(extra);
  args[0] = "worker";
  return args;
}

int Served(const Json& stats, const std::string& id) {
  const Json& d = stats["downloads"];
  return d.is_object() && d.contains(id) ? d[id].get<int>() : 0;
}

// The period is long enough (15 s) for the import to be done while the
// worker waits, whatever the load; what the worker does after its second
// cycle is not looked at here (the next test stops a waiting worker).
TEST(Worker, RunsTwoCyclesAndTakesClientsImportedWhileItWaits) {
  Workspace ws(4);
  ws.StartPortal();
  // The first two clients now, the other two between the cycles.
  {
    std::ifstream in(ws.csv());
    std::ofstream first(ws.Path("first.csv"));
    std::string line;
    for (int n = 0; n < 3 && std::getline(in, line); ++n) first << line << "\n";
  }
  ASSERT_EQ(ws.Boletos({"import", ws.Path("first.csv"), "--db", ws.db()}).code, 0);

  auto worker = ws.Spawn(WorkerArgs(ws, {"--every", "15s"}));
  ASSERT_TRUE(worker->WaitForOutput("worker: cycle 1 ended with exit code 0", Ms(40000)))
      << worker->out() << worker->err();
  std::smatch m;
  std::string out = worker->out();
  ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(cycle 1 ended with exit code 0; next cycle in (\d+) s)")))
      << out;
  ASSERT_GE(std::stoi(m[1]), 1) << "cycle 1 took the whole period; the test cannot import while the worker waits";
  EXPECT_EQ(ws.Rows().size(), 2u);

  // The worker holds the run lock while it waits: a run refuses...
  Outcome run = ws.Boletos(ws.RunArgs(), Ms(10000));
  EXPECT_EQ(run.code, 75) << run.all();
  EXPECT_NE(run.all().find("pid " + std::to_string(worker->pid())), std::string::npos) << run.all();
  // ...but import does not need it.
  Outcome import = ws.Import();
  EXPECT_EQ(import.code, 0) << import.all();
  EXPECT_TRUE(worker->running()) << worker->out();
  EXPECT_EQ(worker->CountOutput("worker: cycle 2 starts"), 0)
      << "cycle 2 started before the import; the import was not done while the worker waited";

  ASSERT_TRUE(worker->WaitForOutput("worker: cycle 2 ended with exit code 0", Ms(60000)))
      << worker->out() << worker->err();
  auto rows = ws.Rows();
  ASSERT_EQ(rows.size(), 4u);
  for (const auto& [id, row] : rows) EXPECT_EQ(row["status"], "done") << row.dump();
  Json stats = ws.PortalStats();
  for (const auto& id : ws.ids()) EXPECT_EQ(Served(stats, id), 1) << id << " downloaded " << Served(stats, id) << "x";
  OutputCheck check = CheckOutput(ws);
  EXPECT_EQ(check.files_verified, 4) << check.Describe();
  EXPECT_TRUE(check.problems.empty()) << check.Describe();
  worker->Signal(SIGTERM);
  auto code = worker->Wait(Ms(20000));
  ASSERT_TRUE(code.has_value()) << worker->out();
  EXPECT_EQ(*code, 143) << worker->out();

  Json status = ws.StatusJson();
  int finished_with_two = 0;
  for (const auto& r : status["runs"]) finished_with_two += r["outcome"] == "finished" && r["done"] == 2 ? 1 : 0;
  EXPECT_EQ(finished_with_two, 2) << status.dump(2);
  EXPECT_TRUE(status["crashed_run"].is_null()) << status.dump(2);
}

TEST(Worker, SigtermWhileItWaitsForItsNextCycleEndsItAtOnceAndCleanly) {
  Workspace ws(2);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  auto worker = ws.Spawn(WorkerArgs(ws, {"--every", "1h"}));
  ASSERT_TRUE(worker->WaitForOutput("worker: cycle 1 ended with exit code 0", Ms(40000)))
      << worker->out() << worker->err();
  auto t0 = Clock::now();
  worker->Signal(SIGTERM);
  auto code = worker->Wait(Ms(5000));
  ASSERT_TRUE(code.has_value()) << "the waiting worker did not stop within 5 s\n" << worker->out();
  EXPECT_EQ(*code, 143) << worker->out();
  EXPECT_LT(std::chrono::duration_cast<Ms>(Clock::now() - t0).count(), 3000);
  EXPECT_EQ(worker->CountOutput("worker: cycle 2 starts"), 0) << worker->out();
  EXPECT_NE(LastLine(worker->out()).find("worker stopped by SIGTERM, cleanly"), std::string::npos)
      << LastLine(worker->out());
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(2000))) << "a browser outlived the worker";

  Json status = ws.StatusJson();
  ASSERT_EQ(status["runs"].size(), 1u) << status.dump(2);
  EXPECT_EQ(status["runs"][0]["outcome"], "finished") << status.dump(2);
  EXPECT_EQ(status["runs"][0]["done"], 2) << status.dump(2);
  EXPECT_TRUE(status["crashed_run"].is_null()) << status.dump(2);
  EXPECT_EQ(status["running"], false);
}

TEST(Worker, SigtermDuringACycleExits143WithinTheGraceAndRecordsTheRunInterrupted) {
  Workspace ws(3);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  ws.SetFaults("stall=1,stall_ms=20000");
  auto worker = ws.Spawn(WorkerArgs(ws, {"--every", "2s", "--grace", "2s"}));
  // The search hangs: the first client of cycle 1 is in flight.
  auto deadline = Clock::now() + Ms(30000);
  while (ws.PortalStats().value("searches", 0) < 1 && Clock::now() < deadline && worker->running()) {
    std::this_thread::sleep_for(Ms(20));
  }
  ASSERT_GE(ws.PortalStats().value("searches", 0), 1) << worker->out() << worker->err();
  ASSERT_TRUE(worker->running()) << worker->out();

  auto t0 = Clock::now();
  worker->Signal(SIGTERM);
  auto code = worker->Wait(Ms(12000));
  auto took = std::chrono::duration_cast<Ms>(Clock::now() - t0);
  ASSERT_TRUE(code.has_value()) << "still running 12 s after SIGTERM with --grace 2s\n" << worker->out();
  EXPECT_EQ(*code, 143) << worker->out();
  EXPECT_LT(took.count(), 6000) << "the grace period was not honoured";
  EXPECT_EQ(worker->CountOutput("worker: cycle 2 starts"), 0) << worker->out();
  EXPECT_NE(LastLine(worker->out()).find("worker stopped by SIGTERM, cleanly"), std::string::npos)
      << LastLine(worker->out());
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(1000))) << "a browser outlived the worker";

  Json status = ws.StatusJson();
  ASSERT_FALSE(status["runs"].empty()) << status.dump(2);
  EXPECT_EQ(status["runs"][0]["outcome"], "interrupted") << status.dump(2);
  EXPECT_TRUE(status["crashed_run"].is_null()) << status.dump(2);
  EXPECT_EQ(status["counts"]["done"], 0) << status.dump(2);
}

TEST(Worker, ABadAtTimeIsBadUsageAndExits2BeforeAnythingRuns) {
  Workspace ws(1);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  for (const char* bad : {"25:00", "6:30", "12:60", "noon"}) {
    Outcome o = ws.Boletos(WorkerArgs(ws, {"--at", bad}), Ms(10000));
    EXPECT_EQ(o.code, 2) << bad << ": " << o.all();
    EXPECT_NE(o.all().find("HH:MM"), std::string::npos) << bad << ": " << o.all();
    EXPECT_EQ(o.all().find("browser started"), std::string::npos) << o.all();
  }
  EXPECT_TRUE(ws.StatusJson()["runs"].empty()) << "a worker with a bad --at recorded a run";
  EXPECT_EQ(ws.PortalStats().value("searches", 0), 0);
}

}  // namespace
}  // namespace boletos::e2e
