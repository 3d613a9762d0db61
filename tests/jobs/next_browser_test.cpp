// NextBrowser with a real headless Chromium: a browser prepared ahead comes
// with its tabs open and the login run in the first; a failed login or a
// kill ends it with no process left behind, and fast.

#include "jobs/next_browser.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <filesystem>

#include "../cdp/process_census.h"
#include "../store/store_test_support.h"
#include "cdp/browser_process.h"

using namespace boletos;
using boletos::store::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

cdp::LaunchOptions Launch(const TempDir& dir) {
  cdp::LaunchOptions launch;
  auto chromium = cdp::FindChromium("");
  EXPECT_TRUE(chromium.ok()) << chromium.message();
  launch.executable = chromium.ok() ? *chromium : "";
  launch.temp_root = dir.path();
  return launch;
}

}  // namespace

TEST(NextBrowser, ComesWithItsTabsOpenAndTheLoginRunInTheFirst) {
  TempDir dir;
  int logins = 0;
  cdp::Page* logged_in = nullptr;
  jobs::NextBrowser next(Launch(dir), 3, [&](cdp::Page& page) {
    ++logins;
    logged_in = &page;
    return page.Evaluate("document.title = 'logged in'", Deadline::In(std::chrono::seconds(5))).ok()
               ? Status::Ok()
               : MakeError(ErrorKind::kPortalError, "no title");
  });
  EXPECT_FALSE(next.started());
  next.Start();
  EXPECT_TRUE(next.started());
  auto ready = next.Take();
  ASSERT_TRUE(ready.ok()) << ready.message();
  EXPECT_FALSE(next.started());
  EXPECT_EQ(next.pid(), -1) << "after Take() the browser is the caller's";
  EXPECT_EQ(logins, 1);
  ASSERT_EQ(ready->pages.size(), 3u);
  EXPECT_EQ(ready->pages[0].get(), logged_in);
  auto title = ready->pages[0]->Evaluate("document.title", Deadline::In(std::chrono::seconds(5)));
  ASSERT_TRUE(title.ok()) << title.message();
  EXPECT_EQ(*title, "logged in");
  EXPECT_TRUE(ready->browser->alive());
  pid_t pid = ready->browser->pid();
  ready->pages.clear();
  ready->browser->Close();
  EXPECT_EQ(test_support::ProcessesInGroup(pid), 0);
}

TEST(NextBrowser, AFailedLoginClosesItAndTakeSaysWhy) {
  TempDir dir;
  pid_t pid = -1;
  jobs::NextBrowser* self = nullptr;
  jobs::NextBrowser next(Launch(dir), 2, [&](cdp::Page&) {
    pid = self->pid();
    return Status(MakeError(ErrorKind::kPortalError, "wrong password"));
  });
  self = &next;
  next.Start();
  auto ready = next.Take();
  ASSERT_FALSE(ready.ok());
  EXPECT_EQ(ready.error().kind, ErrorKind::kPortalError);
  EXPECT_NE(ready.message().find("login failed: wrong password"), std::string::npos) << ready.message();
  ASSERT_GT(pid, 0) << "its pid is known while it logs in";
  EXPECT_EQ(test_support::ProcessesInGroup(pid), 0);
  EXPECT_EQ(next.pid(), -1);
}

TEST(NextBrowser, AKillEndsALoginInFlightAtOnceAndNoneStartsAfter) {
  TempDir dir;
  pid_t pid = -1;
  jobs::NextBrowser* self = nullptr;
  jobs::NextBrowser next(Launch(dir), 1, [&](cdp::Page& page) {
    pid = self->pid();
    self->Kill();  // from inside, while the login is under way: as Abandon() would
    // A login that would hang for 30 s: the kill must end it.
    auto never = page.Evaluate("new Promise(() => {})", Deadline::In(std::chrono::seconds(30)));
    return never.ok() ? Status::Ok() : Status(never.error());
  });
  self = &next;
  auto t0 = Clock::now();
  next.Start();
  auto ready = next.Take();
  EXPECT_FALSE(ready.ok());
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10)) << "the kill did not end the login";
  ASSERT_GT(pid, 0);
  EXPECT_EQ(test_support::ProcessesInGroup(pid), 0);
  next.Start();
  EXPECT_FALSE(next.started()) << "after Kill() nothing starts ahead any more";
}

TEST(NextBrowser, CancelClosesItWhereverItIsAndItCanStartAgain) {
  TempDir dir;
  std::atomic<pid_t> pid{-1};
  jobs::NextBrowser* self = nullptr;
  jobs::NextBrowser next(Launch(dir), 2, [&](cdp::Page&) {
    pid = self->pid();
    return Status::Ok();
  });
  self = &next;
  next.Start();
  // Logged in and about to be ready, not taken: the shutdown of a run whose
  // last clients finished first.
  auto deadline = Clock::now() + std::chrono::seconds(20);
  while (pid <= 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  pid_t cancelled = pid;
  ASSERT_GT(cancelled, 0);
  next.Cancel();
  EXPECT_FALSE(next.started());
  EXPECT_EQ(test_support::ProcessesInGroup(cancelled), 0);
  next.Start();
  auto again = next.Take();
  ASSERT_TRUE(again.ok()) << again.message();
  EXPECT_NE(again->browser->pid(), cancelled);
  again->pages.clear();
  again->browser->Close();
}
