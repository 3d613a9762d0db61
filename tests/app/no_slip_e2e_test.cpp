// SPEC "Flow file", none_if: a client the portal has no slip for this
// period ends as `none` (not a failure, no retry, exit 0, no file), is
// counted apart by status and export, and only `retry --none` puts it back.

#include <gtest/gtest.h>

#include <filesystem>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {

TEST(NoSlip, AClientWithNoOpenSlipEndsNoneAndRetryNoneBringsItBack) {
  Workspace ws(4);
  ws.StartPortal();
  const std::string quiet = ws.ids()[1];
  ws.portal().SetNoSlip({quiet});
  ASSERT_EQ(ws.Import().code, 0);

  Outcome run = ws.Boletos(ws.RunArgs());
  ASSERT_EQ(run.code, 0) << "a client with no slip is not a failure:\n" << run.all();
  EXPECT_NE(run.all().find(quiet + " has no slip this period"), std::string::npos) << run.all();
  EXPECT_NE(run.all().find("3 done, 1 with no slip this period, 0 failed after all attempts"), std::string::npos)
      << run.all();

  auto rows = ws.Rows();
  EXPECT_EQ(rows[quiet]["status"], "none") << rows[quiet].dump();
  EXPECT_EQ(rows[quiet]["attempts"], 1) << rows[quiet].dump();
  EXPECT_TRUE(rows[quiet]["file"].is_null()) << rows[quiet].dump();
  EXPECT_EQ(rows[quiet]["warnings"], "no slip this period: none_if #sem-boleto (" + ws.flow() + ":20)")
      << rows[quiet].dump();
  int done = 0;
  for (const auto& [id, row] : rows) done += row["status"] == "done";
  EXPECT_EQ(done, 3);
  for (const auto& entry : std::filesystem::directory_iterator(ws.period_dir())) {
    EXPECT_EQ(entry.path().filename().string().find(quiet), std::string::npos) << entry.path();
  }
  Json status = ws.StatusJson();
  EXPECT_EQ(status["counts"]["none"], 1) << status.dump(2);
  Outcome text = ws.Boletos({"status", "--db", ws.db(), "--period", kPeriod});
  EXPECT_NE(text.out.find("1 with no slip this period"), std::string::npos) << text.out;

  // Nothing is left to do: the next run does not ask the portal again.
  int searches = ws.PortalStats()["searches"].get<int>();
  Outcome again = ws.Boletos(ws.RunArgs());
  EXPECT_EQ(again.code, 0) << again.all();
  EXPECT_EQ(ws.PortalStats()["searches"].get<int>(), searches) << again.all();

  // `retry` alone leaves it; `retry --none` brings it back, and now the portal has its slip.
  std::vector<std::string> retry = {"retry"};
  for (const auto& a : ws.DbArgs()) retry.push_back(a);
  Outcome plain = ws.Boletos(retry);
  EXPECT_EQ(plain.code, 0) << plain.all();
  EXPECT_NE(plain.out.find("0 failed clients"), std::string::npos) << plain.out;
  retry.push_back("--none");
  Outcome with_none = ws.Boletos(retry);
  EXPECT_EQ(with_none.code, 0) << with_none.all();
  EXPECT_NE(with_none.out.find("1 failed or no-slip clients"), std::string::npos) << with_none.out;
  ws.portal().SetNoSlip({});
  Outcome last = ws.Boletos(ws.RunArgs());
  EXPECT_EQ(last.code, 0) << last.all();
  EXPECT_EQ(ws.Rows()[quiet]["status"], "done");
}

}  // namespace
}  // namespace boletos::e2e
