// SPEC "Guarantees": the next run starts after the last success, never
// downloads a done client again, and a crash at any instant leaves either no
// file or a complete one.

#include <gtest/gtest.h>
#include <signal.h>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {

int Served(const Json& stats, const std::string& id) {
  const Json& d = stats["downloads"];
  return d.is_object() && d.contains(id) ? d[id].get<int>() : 0;
}

int DoneCount(Workspace& ws) {
  int n = 0;
  for (const auto& [id, row] : ws.Rows()) n += row.value("status", "") == "done";
  return n;
}

TEST(Resume, ThreeBatchesOfTenDownloadEveryClientOnceAndAFourthRunDownloadsNothing) {
  Workspace ws(30);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);

  for (int batch = 1; batch <= 3; ++batch) {
    Outcome run = ws.Boletos(ws.RunArgs({"--batch", "10", "--recycle-every", "4"}));
    ASSERT_EQ(run.code, 0) << run.all();
    EXPECT_NE(run.out.find("10 clients to do (batch 10)"), std::string::npos) << run.out;
    EXPECT_EQ(DoneCount(ws), 10 * batch);
  }
  OutputCheck check = CheckOutput(ws);
  EXPECT_EQ(check.files_verified, 30) << check.Describe();
  EXPECT_TRUE(check.problems.empty()) << check.Describe();

  Json before = ws.PortalStats();
  for (const auto& id : ws.ids()) EXPECT_EQ(Served(before, id), 1) << id << " was served more than once";

  Outcome fourth = ws.Boletos(ws.RunArgs({"--batch", "10"}));
  EXPECT_EQ(fourth.code, 0) << fourth.all();
  EXPECT_NE(fourth.out.find("0 clients to do"), std::string::npos) << fourth.out;
  Json after = ws.PortalStats();
  EXPECT_EQ(after["downloads"], before["downloads"]) << "a done client was downloaded again";
  EXPECT_EQ(after["searches"], before["searches"]);
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(3000)));
}

TEST(Resume, AWorkerKilledWithSigkillMidRunLeavesNoPartialFileAndTheNextRunDoesEveryClientOnce) {
  Workspace ws(12);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);

  auto run = ws.Spawn(ws.RunArgs({"--recycle-every", "3"}));
  ASSERT_TRUE(run->WaitForOutput("4/12 ", Ms(60000))) << run->out() << run->err();
  run->Signal(SIGKILL);
  ASSERT_EQ(run->Wait(Ms(5000)), 128 + SIGKILL);
  // PDEATHSIG takes the browser down with the worker.
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(5000))) << "a browser outlived the killed worker";

  std::map<std::string, Json> after_kill = ws.Rows();
  Json served_at_kill = ws.PortalStats();
  Json status = ws.StatusJson();
  // The first command after the crash recognises it and says where it stopped.
  ASSERT_TRUE(status["crashed_run"].is_object()) << status.dump(2);
  EXPECT_EQ(status["crashed_run"]["pid"], run->pid()) << status.dump(2);
  EXPECT_TRUE(status["crashed_run"]["last_done_client"].is_string()) << status.dump(2);
  int done_at_kill = 0;
  for (const auto& [id, row] : after_kill) done_at_kill += row.value("status", "") == "done";
  EXPECT_GE(done_at_kill, 3);
  EXPECT_LT(done_at_kill, 12);

  Outcome again = ws.Boletos(ws.RunArgs());
  ASSERT_EQ(again.code, 0) << again.all();

  OutputCheck check = CheckOutput(ws);
  EXPECT_EQ(check.files_verified, 12) << check.Describe();
  EXPECT_TRUE(check.problems.empty()) << check.Describe();
  Json served = ws.PortalStats();
  for (const auto& [id, row] : after_kill) {
    if (row.value("status", "") == "done") {
      EXPECT_EQ(Served(served, id), Served(served_at_kill, id)) << id << " was done and was downloaded again";
      EXPECT_EQ(Served(served, id), 1) << id;
    } else {
      // At most the one in flight at the kill was served twice.
      EXPECT_LE(Served(served, id), 2) << id;
    }
  }
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(3000)));
}

}  // namespace
}  // namespace boletos::e2e
