// SPEC "Commands": an operator's `import`, `retry` and `status` while a run
// works neither stop it nor mark it crashed (the interleavings themselves
// are built in tests/store/concurrency_test.cpp; this runs the real binary).

#include <gtest/gtest.h>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {

TEST(Operators, AnImportARetryAndAStatusWhileARunWorksNeitherStopItNorMarkItCrashed) {
  Workspace ws(6);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  auto run = ws.Spawn(ws.RunArgs());
  ASSERT_TRUE(run->WaitForOutput(" done in ", Ms(60000))) << run->out() << run->err();

  Outcome imported = ws.Import();
  EXPECT_EQ(imported.code, 0) << imported.all();
  std::vector<std::string> retry = {"retry"};
  for (const auto& a : ws.DbArgs()) retry.push_back(a);
  Outcome retried = ws.Boletos(retry);
  EXPECT_EQ(retried.code, 0) << retried.all();
  Json status = ws.StatusJson();
  if (run->running()) {
    EXPECT_EQ(status["running"], true) << status.dump(2);
    EXPECT_TRUE(status["crashed_run"].is_null()) << status.dump(2);
  }

  EXPECT_EQ(run->Wait(Ms(120000)), 0) << run->out() << run->err();
  for (const auto& [id, row] : ws.Rows()) EXPECT_EQ(row.value("status", ""), "done") << id;
  Json after = ws.StatusJson();
  EXPECT_TRUE(after["crashed_run"].is_null()) << after.dump(2);
  EXPECT_EQ(after["runs"][0]["outcome"], "finished") << after.dump(2);
}

}  // namespace
}  // namespace boletos::e2e
