// SPEC "Exit codes" against a browser that misbehaves: whatever the program
// behind --chromium does (a DevTools URL where nothing listens, error replies
// of the wrong types, replies that are not JSON or of the wrong shapes,
// silence, death after the first reply), `boletos run` ends with a documented
// exit code and a message that names what went wrong; it never crashes or
// aborts, the run is recorded as over (not left `running`) and no process
// is left behind. The fake browser is tests/app/fake_browser.cpp.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <ostream>
#include <set>
#include <vector>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {
using Clock = std::chrono::steady_clock;

// Browser::Launch's start timeout (LaunchOptions::start_timeout).
constexpr auto kStartTimeout = std::chrono::seconds(20);

struct Misbehaviour {
  const char* mode;                 // fake_browser's MODE
  std::vector<const char*> says;    // each is in the client's last_error and the log
  std::chrono::seconds within;      // the whole run ends within this
};

void PrintTo(const Misbehaviour& m, std::ostream* os) { *os << m.mode; }

class FakeBrowser : public ::testing::TestWithParam<Misbehaviour> {};

TEST_P(FakeBrowser, EndsTheRunWithADocumentedExitCodeAndAClearMessage) {
  const Misbehaviour& m = GetParam();
  Workspace ws(1);
  ASSERT_EQ(ws.Import().code, 0);
  ws.WriteFile("fake-chromium", std::string("#!/bin/sh\nexec '") + FAKE_BROWSER_BIN + "' " + m.mode + " \"$@\"\n");
  ASSERT_EQ(chmod(ws.Path("fake-chromium").c_str(), 0755), 0);

  auto started = Clock::now();
  Outcome o = ws.Boletos(ws.RunArgs({"--chromium", ws.Path("fake-chromium"), "--max-attempts", "1"}), Ms(120000));
  auto took = Clock::now() - started;

  // 1: the client failed its (only) attempt; 3 would say the portal looks down.
  const std::set<int> documented = {0, 1, 2, 3, 4, 75, 130, 143};
  EXPECT_TRUE(documented.count(o.code)) << "exit " << o.code << " is no documented exit code:\n" << o.all();
  EXPECT_EQ(o.code, 1) << o.all();
  EXPECT_EQ(o.all().find("terminate called"), std::string::npos) << o.all();
  EXPECT_EQ(o.all().find("type_error"), std::string::npos) << o.all();
  EXPECT_LT(took, m.within) << "the run took " << std::chrono::duration_cast<Ms>(took).count() << " ms";

  auto rows = ws.Rows();
  ASSERT_EQ(rows.size(), 1u);
  const Json& row = rows.begin()->second;
  EXPECT_EQ(row.value("status", ""), "failed") << row.dump();
  const std::string last_error = row["last_error"].is_string() ? row["last_error"].get<std::string>() : "";
  for (const char* text : m.says) {
    EXPECT_NE(last_error.find(text), std::string::npos) << "no \"" << text << "\" in " << row.dump();
    EXPECT_NE(o.out.find(text), std::string::npos) << "no \"" << text << "\" in the log:\n" << o.out;
  }

  Json status = ws.StatusJson();
  ASSERT_TRUE(status["runs"].is_array() && !status["runs"].empty()) << status.dump(2);
  EXPECT_EQ(status["runs"][0]["outcome"], "failed") << status.dump(2);
  EXPECT_TRUE(status["crashed_run"].is_null()) << status.dump(2);
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(3000)));
}

INSTANTIATE_TEST_SUITE_P(
    Misbehaviours, FakeBrowser,
    ::testing::Values(
        // The DevTools pipe closed at once: no crash of the half-started
        // Browser (issue 17, item 4).
        Misbehaviour{"closed", {"did not start", "Browser.getVersion", "closed by the browser"},
                     std::chrono::seconds(15)},
        // An exit at start-up: its exit code and its last words.
        Misbehaviour{"exits", {"did not start", "exit code 3", "no usable display"}, std::chrono::seconds(15)},
        // A number where the protocol has a string (item 5).
        Misbehaviour{"error-number", {"did not start", "Browser.getVersion failed: 1"}, std::chrono::seconds(15)},
        // Text that is not JSON, events of the wrong shapes, a number for a result.
        Misbehaviour{"garbage", {"did not start", "Browser.getVersion", "malformed reply"}, std::chrono::seconds(15)},
        // Silence: the whole start fails within the start timeout, naming
        // the call it waited for.
        Misbehaviour{"silent", {"did not start", "Browser.getVersion got no answer within 20s"},
                     kStartTimeout + std::chrono::seconds(6)},
        // Death after the first reply: the next call says the connection closed.
        Misbehaviour{"dies", {"did not start", "Browser.setDownloadBehavior"}, std::chrono::seconds(15)},
        // Start-up fine, then a number for a tab's targetId.
        Misbehaviour{"bad-target", {"Target.createTarget"}, std::chrono::seconds(15)}),
    [](const auto& info) {
      std::string name = info.param.mode;
      for (char& c : name) {
        if (c == '-') c = '_';
      }
      return name;
    });

}  // namespace
}  // namespace boletos::e2e
