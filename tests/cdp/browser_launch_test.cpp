// Browser::Launch against a program that is not quite Chromium (fake_browser,
// which speaks the DevTools pipe): a pipe closed at once, an exit at
// start-up, silence, replies of the wrong types. The launch fails with a
// Status that names the call; it never crashes, and a Browser it gave up on
// half-way is destroyed safely.

#include "cdp/browser.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace boletos;
using namespace boletos::cdp;

namespace {

Deadline Secs(int s) { return Deadline::In(std::chrono::seconds(s)); }

// A temporary folder with a "chromium" script in it that runs fake_browser
// in the given mode (Browser kills its process group).
class FakeChromium {
 public:
  explicit FakeChromium(const std::string& mode) {
    char tmpl[] = "/tmp/boletos-fake-chromium-XXXXXX";
    dir_ = mkdtemp(tmpl);
    chmod(dir_.c_str(), 0755);  // the browser's user (not root) enters it
    std::ofstream(path()) << "#!/bin/sh\nexec '" << FAKE_BROWSER_BIN << "' " << mode << " \"$@\"\n";
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

TEST(BrowserLaunch, APipeClosedAtOnceFailsTheLaunchWithoutACrash) {
  FakeChromium chromium("closed");
  auto browser = Browser::Launch(chromium.Options());
  ASSERT_FALSE(browser.ok());
  EXPECT_EQ(browser.kind(), ErrorKind::kConnectionClosed) << browser.message();
  EXPECT_NE(browser.message().find("did not start"), std::string::npos) << browser.message();
  EXPECT_NE(browser.message().find("Browser.getVersion"), std::string::npos) << browser.message();
}

TEST(BrowserLaunch, ABrowserThatExitsAtStartUpIsReportedWithItsExitCodeAndLastWords) {
  FakeChromium chromium("exits");
  auto browser = Browser::Launch(chromium.Options());
  ASSERT_FALSE(browser.ok());
  EXPECT_EQ(browser.kind(), ErrorKind::kTargetCrashed) << browser.message();
  EXPECT_NE(browser.message().find("exit code 3"), std::string::npos) << browser.message();
  EXPECT_NE(browser.message().find("no usable display"), std::string::npos) << browser.message();
}

TEST(BrowserLaunch, ABrowserThatNeverAnswersFailsWithinTheStartTimeoutNamingTheCall) {
  FakeChromium chromium("silent");
  auto started = std::chrono::steady_clock::now();
  auto browser = Browser::Launch(chromium.Options(std::chrono::milliseconds(800)));
  ASSERT_FALSE(browser.ok());
  // Well within the 800 ms start timeout's order of size, not minutes.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(5000));
  EXPECT_EQ(browser.kind(), ErrorKind::kTimeout) << browser.message();
  EXPECT_NE(browser.message().find("Browser.getVersion"), std::string::npos) << browser.message();
}

TEST(BrowserLaunch, AHelperThatKeepsTheBrowsersStderrOpenDoesNotHoldUpItsEnd) {
  // "escapes" never answers and leaves a helper outside its process group
  // that holds the browser's stderr for 3 s: when the launch gives up, the
  // browser is killed while its stderr is still open, and the end of the
  // drain thread is asked for, not seen. It once deadlocked right there.
  FakeChromium chromium("escapes");
  auto started = std::chrono::steady_clock::now();
  auto browser = Browser::Launch(chromium.Options(std::chrono::milliseconds(500)));
  ASSERT_FALSE(browser.ok());
  EXPECT_EQ(browser.kind(), ErrorKind::kTimeout) << browser.message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2500))
      << "the launch's end waited for the helper's stderr";
}

TEST(BrowserLaunch, HostileRepliesFailTheLaunchAsProtocolErrors) {
  for (const char* mode : {"error-number", "garbage", "error-object"}) {
    FakeChromium chromium(mode);
    auto browser = Browser::Launch(chromium.Options());
    ASSERT_FALSE(browser.ok()) << mode;
    EXPECT_EQ(browser.kind(), ErrorKind::kProtocolError) << mode << ": " << browser.message();
    EXPECT_NE(browser.message().find("Browser.getVersion"), std::string::npos) << browser.message();
  }
}

TEST(BrowserLaunch, ABrowserThatRefusesItsSandboxIsStartedWithoutItFromThenOn) {
  FakeChromium chromium("needs-no-sandbox");
  LaunchOptions options = chromium.Options();
  BrowserIdentity sandboxed;  // what a probe that could make namespaces says
  sandboxed.uid = geteuid();
  sandboxed.gid = getegid();
  sandboxed.user = "the worker's";
  sandboxed.sandbox = true;
  options.identity = sandboxed;
  for (int launch = 0; launch < 2; ++launch) {
    auto browser = Browser::Launch(options);
    ASSERT_TRUE(browser.ok()) << "launch " << launch << ": " << browser.message();
    std::string cmdline;
    {
      std::ifstream in("/proc/" + std::to_string((*browser)->pid()) + "/cmdline");
      std::getline(in, cmdline, '\x01');
    }
    EXPECT_NE(cmdline.find("--no-sandbox"), std::string::npos) << launch;
  }
}

TEST(BrowserLaunch, ABrowserThatExitsWithItsSandboxOffIsNotTriedAgain) {
  FakeChromium chromium("exits");
  LaunchOptions options = chromium.Options();
  BrowserIdentity unsandboxed;
  unsandboxed.uid = geteuid();
  unsandboxed.gid = getegid();
  unsandboxed.user = "the worker's";
  options.identity = unsandboxed;
  auto browser = Browser::Launch(options);
  ASSERT_FALSE(browser.ok());
  EXPECT_NE(browser.message().find("exit code 3"), std::string::npos) << browser.message();
}

TEST(BrowserLaunch, ATabWhoseTargetIdIsNotAStringFailsNewPage) {
  FakeChromium chromium("bad-target");
  auto browser = Browser::Launch(chromium.Options());
  ASSERT_TRUE(browser.ok()) << browser.message();
  auto page = (*browser)->NewPage(Secs(5));
  ASSERT_FALSE(page.ok());
  EXPECT_EQ(page.kind(), ErrorKind::kProtocolError) << page.message();
  EXPECT_NE(page.message().find("Target.createTarget"), std::string::npos) << page.message();
}

}  // namespace
