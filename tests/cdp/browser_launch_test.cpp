// Browser::Launch against a program that is not quite Chromium: a DevTools
// URL where nothing listens, silence, replies of the wrong types. The launch
// fails with a Status that names the call; it never crashes, and a Browser
// it gave up on half-way is destroyed safely.

#include "cdp/browser.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fake_cdp_server.h"

using namespace boletos;
using namespace boletos::cdp;
using boletos::test_support::FakeCdpServer;
using nlohmann::json;

namespace {

Deadline Secs(int s) { return Deadline::In(std::chrono::seconds(s)); }

// Answers every command with reply_for(id), after sending the texts in before.
FakeCdpServer::CommandFn Answer(std::vector<std::string> before, std::function<json(const json& id)> reply_for) {
  return [before = std::move(before), reply_for = std::move(reply_for)](FakeCdpServer& s, const json& cmd) {
    for (const auto& text : before) s.SendText(text);
    s.Send(reply_for(cmd["id"]));
  };
}

// A temporary folder with a "chromium" script in it that prints a DevTools
// line like Chromium's and then sleeps (Browser kills its process group).
class FakeChromium {
 public:
  explicit FakeChromium(const std::string& devtools_url) {
    char tmpl[] = "/tmp/boletos-fake-chromium-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(path()) << "#!/bin/sh\necho 'DevTools listening on " << devtools_url << "' >&2\nexec sleep 60\n";
    chmod(path().c_str(), 0755);
  }
  ~FakeChromium() { std::filesystem::remove_all(dir_); }
  std::string path() const { return dir_ + "/chromium"; }
  LaunchOptions Options(std::chrono::milliseconds start_timeout = std::chrono::seconds(5)) const {
    LaunchOptions o;
    o.executable = path();
    o.temp_root = dir_;
    o.start_timeout = start_timeout;
    return o;
  }

 private:
  std::string dir_;
};

// A url where nothing listens: a server's, after it is gone.
std::string DeadUrl() {
  std::string url;
  {
    FakeCdpServer gone([](FakeCdpServer&, const json&) {});
    url = gone.url();
  }
  return url;
}

TEST(BrowserLaunch, AWebsocketThatDoesNotOpenFailsTheLaunchWithoutACrash) {
  FakeChromium chromium(DeadUrl());
  auto browser = Browser::Launch(chromium.Options());
  ASSERT_FALSE(browser.ok());
  EXPECT_EQ(browser.kind(), ErrorKind::kConnectionClosed) << browser.message();
  EXPECT_NE(browser.message().find("cannot open DevTools websocket"), std::string::npos) << browser.message();
}

TEST(BrowserLaunch, ABrowserThatNeverAnswersFailsWithinTheStartTimeoutNamingTheCall) {
  FakeCdpServer server([](FakeCdpServer&, const json&) {});
  FakeChromium chromium(server.url());
  auto started = std::chrono::steady_clock::now();
  auto browser = Browser::Launch(chromium.Options(std::chrono::milliseconds(800)));
  ASSERT_FALSE(browser.ok());
  // Well within the 800 ms start timeout's order of size, not minutes.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(5000));
  EXPECT_EQ(browser.kind(), ErrorKind::kTimeout) << browser.message();
  EXPECT_NE(browser.message().find("Browser.getVersion"), std::string::npos) << browser.message();
}

TEST(BrowserLaunch, HostileRepliesFailTheLaunchAsProtocolErrors) {
  for (const json& reply : {json{{"error", {{"message", 1}}}}, json{{"result", 42}}, json{{"error", 7}}}) {
    FakeCdpServer server(Answer({"{not json", R"({"method":"Target.targetCreated","params":5})"},
                                [reply](const json& id) {
                                  json r = reply;
                                  r["id"] = id;
                                  return r;
                                }));
    FakeChromium chromium(server.url());
    auto browser = Browser::Launch(chromium.Options());
    ASSERT_FALSE(browser.ok()) << reply.dump();
    EXPECT_EQ(browser.kind(), ErrorKind::kProtocolError) << browser.message();
    EXPECT_NE(browser.message().find("Browser.getVersion"), std::string::npos) << browser.message();
  }
}

TEST(BrowserLaunch, ATabWhoseTargetIdIsNotAStringFailsNewPage) {
  FakeCdpServer server([](FakeCdpServer& s, const json& cmd) {
    json result = json::object();
    if (cmd["method"] == "Target.createTarget") result = {{"targetId", 5}};
    if (cmd["method"] == "Target.attachToTarget") result = {{"sessionId", json::array()}};
    s.Send({{"id", cmd["id"]}, {"result", result}});
  });
  FakeChromium chromium(server.url());
  auto browser = Browser::Launch(chromium.Options());
  ASSERT_TRUE(browser.ok()) << browser.message();
  auto page = (*browser)->NewPage(Secs(5));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.kind(), ErrorKind::kProtocolError) << page.message();
  EXPECT_NE(page.message().find("Target.createTarget"), std::string::npos) << page.message();
}

}  // namespace
