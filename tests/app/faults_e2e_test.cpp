// SPEC "Guarantees" and "Exit codes" under a misbehaving portal: broken
// responses are failed attempts (never `done`) and are retried; a portal
// that is down stops the run with 3; a browser that dies is replaced and the
// run goes on; a failed client leaves a screenshot and the page's HTML, and
// no secret reaches the artifacts, the logs or the database.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <ostream>

#include <thread>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The demo flow waits 20 s for the search result; a faulted search shows an
// error page instead, so the tests wait 2 s.
void ShortenWaits(Workspace& ws) {
  std::string flow = ReadFile(ws.flow());
  auto at = flow.find("timeout: 20s");
  ASSERT_NE(at, std::string::npos);
  flow.replace(at, 12, "timeout: 2s");
  ws.WriteFile("flow.yaml", flow);
}

bool HasEntriesOutsideFailed(const Workspace& ws) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(ws.period_dir(), ec)) {
    if (e.path().filename() != "_failed") return true;
  }
  return false;
}

// With `html: print` (the demo flow) an HTML error page is printed like an
// HTML slip, then refused because it does not show the client's document.
struct BrokenResponse {
  const char* fault;
  const char* error_says;
};

void PrintTo(const BrokenResponse& b, std::ostream* os) { *os << b.fault; }

class BrokenResponses : public ::testing::TestWithParam<BrokenResponse> {};

TEST_P(BrokenResponses, AreFailedAttemptsNeverDoneAndAreRetriedUntilTheClientSucceeds) {
  Workspace ws(2);
  ws.StartPortal(std::string(GetParam().fault) + "=1");
  ShortenWaits(ws);
  ASSERT_EQ(ws.Import().code, 0);

  Outcome failing = ws.Boletos(ws.RunArgs({"--max-attempts", "2"}));
  EXPECT_EQ(failing.code, 1) << failing.all();
  EXPECT_NE(failing.out.find("failed attempt 1/2"), std::string::npos) << failing.out;
  EXPECT_NE(failing.out.find("FAILED for good after 2 attempts"), std::string::npos) << failing.out;
  for (const auto& [id, row] : ws.Rows()) {
    EXPECT_EQ(row["status"], "failed") << id;
    EXPECT_EQ(row["attempts"], 2) << id;
    EXPECT_TRUE(row["file"].is_null()) << id;
    EXPECT_NE(row.value("last_error", "").find(GetParam().error_says), std::string::npos) << row.dump();
    EXPECT_TRUE(fs::exists(ws.period_dir() + "/_failed/" + id + ".png")) << id;
    EXPECT_TRUE(fs::exists(ws.period_dir() + "/_failed/" + id + ".html")) << id;
  }
  EXPECT_FALSE(HasEntriesOutsideFailed(ws)) << "a broken response was kept as a boleto";
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(3000)));

  // The portal heals; `retry` puts the clients back and the next run does them.
  ws.SetFaults("");
  Outcome retry = ws.Boletos({"retry", "--db", ws.db(), "--period", kPeriod});
  ASSERT_EQ(retry.code, 0) << retry.all();
  Outcome healed = ws.Boletos(ws.RunArgs({"--max-attempts", "2"}));
  EXPECT_EQ(healed.code, 0) << healed.all();
  OutputCheck check = CheckOutput(ws);
  EXPECT_EQ(check.files_verified, 2) << check.Describe();
  EXPECT_TRUE(check.problems.empty()) << check.Describe();
  for (const auto& id : ws.ids()) {
    EXPECT_FALSE(fs::exists(ws.period_dir() + "/_failed/" + id + ".png")) << "stale artifact for done " << id;
  }
}

INSTANTIATE_TEST_SUITE_P(Portal, BrokenResponses,
                         ::testing::Values(BrokenResponse{"truncate", "cut short"},
                                           BrokenResponse{"html_error", "lacks the client's document"},
                                           BrokenResponse{"http500", "a.boleto"},
                                           BrokenResponse{"alert", "(the page showed alert \"Sessão expirada\")"}),
                         [](const auto& info) { return std::string(info.param.fault); });

// The faulted search times out waiting for a.boleto: after 3 timeouts in a
// row the browser may be the one that hangs, so a fresh one is tried, and
// only when it fails its 3 too is the portal judged down.
TEST(Faults, APortalThatIsDownStopsTheRunWithExit3OnceAFreshBrowserFailedToo) {
  Workspace ws(8);
  ws.StartPortal("http500=1");
  ShortenWaits(ws);
  ASSERT_EQ(ws.Import().code, 0);
  Outcome o = ws.Boletos(ws.RunArgs({"--max-consecutive-failures", "3"}));
  EXPECT_EQ(o.code, 3) << o.all();
  EXPECT_NE(o.out.find("the last 3 attempts in this browser timed out: it may be hung"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("the portal looks down (6 consecutive failures)"), std::string::npos) << o.out;
  Json status = ws.StatusJson();
  EXPECT_EQ(status["runs"][0]["outcome"], "portal_down") << status.dump(2);
  EXPECT_EQ(status["counts"]["done"], 0);
  int attempts = 0;
  for (const auto& [id, row] : ws.Rows()) attempts += row["attempts"].get<int>();
  EXPECT_EQ(attempts, 6) << "the run went on after 3 consecutive failures on a fresh browser";
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(3000)));
}

TEST(Faults, TheBrowserKilledMidClientIsReplacedTheClientRetriedAndEveryClientDone) {
  Workspace ws(8);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  auto run = ws.Spawn(ws.RunArgs({"--recycle-every", "100"}));
  ASSERT_TRUE(run->WaitForOutput("2/8 ", Ms(30000))) << run->out();
  // Hold the next search so that a client is surely in flight, then kill
  // the browser under it.
  int searches = ws.PortalStats().value("searches", 0);
  ws.SetFaults("stall=1,stall_ms=20000");
  auto deadline = Clock::now() + Ms(20000);
  while (ws.PortalStats().value("searches", 0) <= searches && Clock::now() < deadline) {
    std::this_thread::sleep_for(Ms(10));
  }
  int browser = LastBrowserPid(run->out());
  ASSERT_GT(browser, 0) << run->out();
  bool ours = false;
  for (const auto& p : ProcessesMarkedWith(ws.root())) ours |= p.pid == browser;
  ASSERT_TRUE(ours) << "pid " << browser << " is not this test's browser";
  ws.SetFaults("");
  kill(browser, SIGKILL);

  EXPECT_EQ(run->Wait(Ms(60000)), 0) << run->out();
  std::string log = run->out();
  EXPECT_GE(run->CountOutput("browser started"), 2) << log;
  EXPECT_NE(log.find("failed attempt 1/"), std::string::npos) << "the client in flight counted no attempt\n" << log;
  OutputCheck check = CheckOutput(ws);
  EXPECT_EQ(check.files_verified, 8) << check.Describe();
  EXPECT_TRUE(check.problems.empty()) << check.Describe();
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(3000)));
}

TEST(FailureArtifacts, AFailedClientLeavesAScreenshotAndHtmlAndNoSecretAnywhere) {
  Workspace ws(1);
  ws.StartPortal();
  // The portal echoes an unknown CPF in its "not found" page: typing the
  // password there puts the secret in the page, in the field and in the URL.
  std::string flow = ReadFile(ws.flow());
  flow.replace(flow.find("{{client.document}}"), 19, "{{env.PORTAL_PASSWORD}}");
  flow.replace(flow.find("timeout: 20s"), 12, "timeout: 1s");
  ws.WriteFile("flow.yaml", flow);
  ASSERT_EQ(ws.Import().code, 0);

  Outcome o = ws.Boletos(ws.RunArgs({"--max-attempts", "1"}));
  EXPECT_EQ(o.code, 1) << o.all();
  std::string png = ReadFile(ws.period_dir() + "/_failed/c001.png");
  std::string html = ReadFile(ws.period_dir() + "/_failed/c001.html");
  EXPECT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n") << "no screenshot";
  // The captured page is the one that echoed the secret.
  EXPECT_NE(html.find("Nenhum cliente encontrado para"), std::string::npos) << "not the failing page: " << html;
  EXPECT_EQ(html.find(kPortalPassword), std::string::npos) << "the secret is in the failure HTML";
  EXPECT_EQ(o.all().find(kPortalPassword), std::string::npos) << "the secret is in the log";
  std::string db_bytes = ReadFile(ws.db()) + ReadFile(ws.db() + "-wal");
  EXPECT_EQ(db_bytes.find(kPortalPassword), std::string::npos) << "the secret is in the database";
  EXPECT_EQ(ws.ExportCsv().find(kPortalPassword), std::string::npos);
  Outcome status = ws.Boletos({"status", "--db", ws.db(), "--period", kPeriod});
  EXPECT_EQ(status.all().find(kPortalPassword), std::string::npos);
  EXPECT_FALSE(HasEntriesOutsideFailed(ws));
}

}  // namespace
}  // namespace boletos::e2e
