// SPEC "What a boleto says" under a portal that mixes sessions up, and
// "Logs": `--log-format json` gives one JSON object per line, secrets redacted.

#include <gtest/gtest.h>

#include <sstream>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {

TEST(WrongSlips, EveryFileKeptIsTheRightClientsAndTheExportsFactsAreWhatThePortalPrinted) {
  Workspace ws(12);
  ws.StartPortal("wrong_client=0.35", 11);
  ASSERT_EQ(ws.Import().code, 0);
  Outcome o = ws.Boletos(ws.RunArgs({"--max-attempts", "30"}));
  ASSERT_EQ(o.code, 0) << o.all();
  EXPECT_GT(ws.PortalStats()["faults"].value("wrong_client", 0), 0) << "the fault never fired: the test proves nothing";
  EXPECT_EQ(o.out.find("0 foreign slips refused"), std::string::npos) << "no foreign slip was refused:\n" << o.out;
  OutputCheck check = CheckOutput(ws);
  EXPECT_EQ(check.files_verified, 12) << check.Describe();
  EXPECT_TRUE(check.problems.empty()) << check.Describe();
  for (const auto& [id, row] : ws.Rows()) {
    auto facts = ws.portal().Facts(id, kPeriod);
    ASSERT_TRUE(facts.ok()) << id;
    EXPECT_EQ(row["status"], "done") << id;
    EXPECT_EQ(row["linha_digitavel"], facts->linha_digitavel) << id;
    EXPECT_EQ(row["amount"], facts->amount) << id;
    EXPECT_EQ(row["due_date"], facts->due_date) << id;
  }
}

TEST(JsonLogs, EveryLineIsOneJsonObjectAndNoneHoldsTheSecret) {
  Workspace ws(3);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  Outcome o = ws.Boletos(ws.RunArgs({"--log-format", "json", "--memory-log-every", "1"}));
  ASSERT_EQ(o.code, 0) << o.all();
  std::istringstream lines(o.out);
  std::string line, last;
  int objects = 0, memory_lines = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    Json j = Json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not one JSON object: " << line;
    EXPECT_TRUE(j.contains("level") || j.contains("lvl")) << line;
    if (line.find("memory:") != std::string::npos) ++memory_lines;
    EXPECT_EQ(line.find(kPortalPassword), std::string::npos) << "the secret leaked: " << line;
    last = line;
    ++objects;
  }
  EXPECT_GE(objects, 5) << o.out;
  EXPECT_EQ(memory_lines, 3) << o.out;
  EXPECT_NE(last.find("finished normally"), std::string::npos) << "the last line must say how the run ended: " << last;
}

}  // namespace
}  // namespace boletos::e2e
