// SPEC "Flow file" and "Exit codes": a portal that answers the login with a
// reCAPTCHA stops the run at once with exit 4, a message naming the page,
// no attempt counted against any client, and the run recorded as
// `human_needed`. It is never retried in a loop: one login, one look.

#include <gtest/gtest.h>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {

TEST(Captcha, ALoginPageThatAsksForAHumanEndsTheRunWithExit4AndNoAttemptCounted) {
  Workspace ws(3);
  ws.StartPortal();
  ws.portal().SetCaptchaOnLogin(true);
  ASSERT_EQ(ws.Import().code, 0);
  // The login's first fill meets the CAPTCHA page; it waits 2 s, not 30.
  std::string flow = ReadFile(ws.flow());
  const std::string fill = "value: \"{{env.PORTAL_USER}}\" }";
  auto at = flow.find(fill);
  ASSERT_NE(at, std::string::npos);
  flow.replace(at, fill.size(), "value: \"{{env.PORTAL_USER}}\", timeout: 2s }");
  ws.WriteFile("flow.yaml", flow);

  Outcome run = ws.Boletos(ws.RunArgs());
  EXPECT_EQ(run.code, 4) << run.all();
  EXPECT_NE(run.all().find("the portal asks for a human: reCAPTCHA on " + ws.base_url() + "/login (\"Entrar\") at step "
                           "`fill #user` (" + ws.flow() + ":9)"),
            std::string::npos)
      << run.all();
  EXPECT_NE(run.all().find("run 1 stopped, a person is needed: login failed: the portal asks for a human"),
            std::string::npos)
      << run.all();
  EXPECT_EQ(run.all().find("retrying in"), std::string::npos) << "a CAPTCHA is never retried:\n" << run.all();

  for (const auto& [id, row] : ws.Rows()) {
    EXPECT_EQ(row["status"], "pending") << row.dump();
    EXPECT_EQ(row["attempts"], 0) << row.dump();
  }
  Json status = ws.StatusJson();
  ASSERT_FALSE(status["runs"].empty()) << status.dump(2);
  EXPECT_EQ(status["runs"][0]["outcome"], "human_needed") << status.dump(2);

  // Once a person has dealt with it, the next run goes through.
  ws.portal().SetCaptchaOnLogin(false);
  Outcome after = ws.Boletos(ws.RunArgs());
  EXPECT_EQ(after.code, 0) << after.all();
}

}  // namespace
}  // namespace boletos::e2e
