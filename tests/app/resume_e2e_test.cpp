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

// status (JSON and text) after a run died: it names the dead run, the last
// client it finished and when, its last memory sample, and where the next
// run resumes. Returns the dead run's id.
int ExpectStatusNamesTheDeadRun(Workspace& ws, int pid, const std::map<std::string, Json>& rows) {
  Json status = ws.StatusJson();
  const Json& dead = status["crashed_run"];
  if (!dead.is_object()) {
    ADD_FAILURE() << "status names no dead run:\n" << status.dump(2);
    return -1;
  }
  EXPECT_EQ(dead["pid"], pid) << status.dump(2);
  EXPECT_EQ(dead["outcome"], "crashed") << status.dump(2);
  // The last client done before it died: the done row downloaded last.
  std::string last_done, last_at, next;
  for (const auto& [id, row] : rows) {
    if (row.value("status", "") != "done") {
      if (next.empty()) next = id;  // rows are in id order, the order of a run
      continue;
    }
    std::string at = row.value("downloaded_at", "");
    if (at > last_at) last_at = at, last_done = id;
  }
  EXPECT_EQ(dead["last_done_client"], last_done) << status.dump(2);
  EXPECT_TRUE(dead["last_done_at"].is_string() && !dead["last_done_at"].get<std::string>().empty())
      << status.dump(2);
  EXPECT_EQ(status["next_client"], next) << status.dump(2);
  const Json& mem = status["last_memory"];
  EXPECT_TRUE(mem.is_object() && mem["run_id"] == dead["id"]) << "no memory sample of the dead run:\n" << status.dump(2);
  if (mem.is_object()) {
    EXPECT_GT(mem.value("worker_rss_kb", 0), 0) << status.dump(2);
  }

  Outcome text = ws.Boletos({"status", "--db", ws.db(), "--period", kPeriod});
  EXPECT_EQ(text.code, 0) << text.all();
  EXPECT_NE(text.out.find("THE LAST RUN DIED: run " + dead["id"].dump() + " (pid " + std::to_string(pid)),
            std::string::npos)
      << text.out;
  if (dead["last_done_at"].is_string()) {
    EXPECT_NE(text.out.find("the last client it finished was " + last_done + " at " +
                            dead["last_done_at"].get<std::string>()),
              std::string::npos)
        << text.out;
  }
  EXPECT_NE(text.out.find("its last memory sample"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("next run resumes at: " + next), std::string::npos) << text.out;
  return dead.value("id", -1);
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

  auto run = ws.Spawn(ws.RunArgs({"--recycle-every", "3", "--memory-log-every", "2"}));
  ASSERT_TRUE(run->WaitForOutput("4/12 ", Ms(60000))) << run->out() << run->err();
  run->Signal(SIGKILL);
  ASSERT_EQ(run->Wait(Ms(5000)), 128 + SIGKILL);
  // PDEATHSIG takes the browser down with the worker.
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(5000))) << "a browser outlived the killed worker";

  std::map<std::string, Json> after_kill = ws.Rows();
  Json served_at_kill = ws.PortalStats();
  int done_at_kill = 0;
  for (const auto& [id, row] : after_kill) done_at_kill += row.value("status", "") == "done";
  EXPECT_GE(done_at_kill, 3);
  EXPECT_LT(done_at_kill, 12);
  // The first command after the crash recognises it and says where it
  // stopped; status keeps saying so whatever commands run in between.
  int crashed_id = ExpectStatusNamesTheDeadRun(ws, run->pid(), after_kill);
  ASSERT_FALSE(ws.ExportCsv().empty());
  ASSERT_EQ(ws.Import().code, 0);
  EXPECT_EQ(ExpectStatusNamesTheDeadRun(ws, run->pid(), after_kill), crashed_id);

  Outcome again = ws.Boletos(ws.RunArgs());
  ASSERT_EQ(again.code, 0) << again.all();
  // Until the next run: then the crash is history, not news.
  Json status = ws.StatusJson();
  EXPECT_TRUE(status["crashed_run"].is_null()) << status.dump(2);
  ASSERT_GE(status["runs"].size(), 2u);
  EXPECT_EQ(status["runs"][1]["id"], crashed_id) << status.dump(2);
  EXPECT_EQ(status["runs"][1]["outcome"], "crashed") << status.dump(2);
  Outcome text = ws.Boletos({"status", "--db", ws.db(), "--period", kPeriod});
  EXPECT_EQ(text.out.find("THE LAST RUN DIED"), std::string::npos) << text.out;

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
