// ChromiumLauncher with a real headless Chromium: a slot started ahead
// comes logged in with its tabs open; one asked for without a start ahead
// is only launched (its tabs log in at their first attempt); a failed login
// ahead or a kill ends that browser with no process left behind, and fast;
// a slot destroyed leaves no process once the launcher is shut down.

#include "jobs/chromium_launcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "../cdp/process_census.h"
#include "../store/store_test_support.h"
#include "cdp/browser_process.h"

using namespace boletos;
using boletos::store::testing::OpenStore;
using boletos::store::testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

// What a launcher's slots work with, over an empty flow.
struct Parts {
  TempDir dir;
  std::unique_ptr<store::Store> db = OpenStore(dir);
  flow::Flow flow;
  flow::FlowRunner runner{flow, *ParsePeriod("2026-12"), [](const std::string&) { return std::nullopt; }};
  jobs::SlipCheck check{5, *ParsePeriod("2026-12")};
  jobs::OutputFolder out{dir.File("out"), "2026-12"};
  jobs::SlipCommit commit{runner, check, out, *db, "2026-12", 3};
  Redactor redactor;
  jobs::SlotServices Services() { return jobs::SlotServices{runner, commit, out, redactor}; }
  cdp::LaunchOptions Launch() {
    cdp::LaunchOptions launch;
    auto chromium = cdp::FindChromium("");
    EXPECT_TRUE(chromium.ok()) << chromium.message();
    launch.executable = chromium.ok() ? *chromium : "";
    launch.temp_root = dir.path();
    return launch;
  }
};

}  // namespace

TEST(ChromiumLauncher, ASlotStartedAheadComesLoggedInInItsFirstTabOnly) {
  Parts parts;
  std::atomic<int> logins{0};
  jobs::ChromiumLauncher launcher(parts.Launch(), 3, parts.Services(), [&](cdp::Page& page) {
    ++logins;
    return page.Evaluate("document.title = 'logged in'", Deadline::In(std::chrono::seconds(5))).ok()
               ? Status::Ok()
               : MakeError(ErrorKind::kPortalError, "no title");
  });
  EXPECT_FALSE(launcher.started_ahead());
  launcher.StartAhead();
  EXPECT_TRUE(launcher.started_ahead());
  auto started = launcher.Take();
  ASSERT_TRUE(started.ok()) << started.message();
  EXPECT_FALSE(launcher.started_ahead());
  EXPECT_EQ(launcher.starting_pid(), -1) << "after Take() the browser is the slot's";
  EXPECT_TRUE(started->prepared_ahead);
  EXPECT_NE(started->description.find("prepared ahead in "), std::string::npos) << started->description;
  EXPECT_EQ(logins.load(), 1);
  pid_t pid = started->slot->pid();
  EXPECT_GT(test_support::ProcessesInGroup(pid), 0);
  started->slot.reset();
  launcher.Shutdown();
  EXPECT_EQ(test_support::ProcessesInGroup(pid), 0);
}

TEST(ChromiumLauncher, WithoutAStartAheadTheSlotIsOnlyLaunchedOnTheCallersThread) {
  Parts parts;
  std::atomic<int> logins{0};
  jobs::ChromiumLauncher launcher(parts.Launch(), 2, parts.Services(), [&](cdp::Page&) {
    ++logins;
    return Status::Ok();
  });
  auto started = launcher.Take();
  ASSERT_TRUE(started.ok()) << started.message();
  EXPECT_FALSE(started->prepared_ahead);
  EXPECT_EQ(logins.load(), 0) << "its tabs log in at their first attempt, where a failure keeps artifacts";
  pid_t pid = started->slot->pid();
  started->slot.reset();
  launcher.Shutdown();
  EXPECT_EQ(test_support::ProcessesInGroup(pid), 0);
}

TEST(ChromiumLauncher, AFailedLoginAheadClosesThatBrowserAndTheTakeStartsOneNow) {
  Parts parts;
  std::atomic<pid_t> pid{-1};
  jobs::ChromiumLauncher* self = nullptr;
  jobs::ChromiumLauncher launcher(parts.Launch(), 2, parts.Services(), [&](cdp::Page&) {
    pid = self->starting_pid();
    return Status(MakeError(ErrorKind::kPortalError, "wrong password"));
  });
  self = &launcher;
  launcher.StartAhead();
  auto started = launcher.Take();
  ASSERT_TRUE(started.ok()) << started.message();
  EXPECT_FALSE(started->prepared_ahead);
  ASSERT_GT(pid.load(), 0) << "its pid is known while it logs in";
  EXPECT_EQ(test_support::ProcessesInGroup(pid), 0) << "the browser whose login failed was closed";
  EXPECT_NE(started->slot->pid(), pid.load());
  started->slot.reset();
  launcher.Shutdown();
}

TEST(ChromiumLauncher, AKillEndsALoginAheadAtOnceAndNoneStartsAfter) {
  Parts parts;
  std::atomic<pid_t> pid{-1};
  jobs::ChromiumLauncher* self = nullptr;
  jobs::ChromiumLauncher launcher(parts.Launch(), 1, parts.Services(), [&](cdp::Page& page) {
    pid = self->starting_pid();
    self->Kill();  // from inside, while the login is under way: as Abandon() would
    // A login that would hang for 30 s: the kill must end it.
    auto never = page.Evaluate("new Promise(() => {})", Deadline::In(std::chrono::seconds(30)));
    return never.ok() ? Status::Ok() : Status(never.error());
  });
  self = &launcher;
  auto t0 = Clock::now();
  launcher.StartAhead();
  auto started = launcher.Take();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().kind, ErrorKind::kInterrupted);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10)) << "the kill did not end the login";
  ASSERT_GT(pid.load(), 0);
  EXPECT_EQ(test_support::ProcessesInGroup(pid), 0);
  launcher.StartAhead();
  EXPECT_FALSE(launcher.started_ahead()) << "after Kill() nothing starts ahead any more";
  EXPECT_EQ(launcher.Take().error().kind, ErrorKind::kInterrupted) << "nor on demand";
}

TEST(ChromiumLauncher, ShutdownClosesTheOneStartedAheadWhereverItIsAndSlotsStartAgain) {
  Parts parts;
  std::atomic<pid_t> pid{-1};
  jobs::ChromiumLauncher* self = nullptr;
  jobs::ChromiumLauncher launcher(parts.Launch(), 2, parts.Services(), [&](cdp::Page&) {
    pid = self->starting_pid();
    return Status::Ok();
  });
  self = &launcher;
  launcher.StartAhead();
  // Started ahead and not taken: the shutdown of a run whose last clients
  // finished first. Wherever it is (launching, logging in, ready).
  launcher.Shutdown();
  EXPECT_FALSE(launcher.started_ahead());
  if (pid > 0) EXPECT_EQ(test_support::ProcessesInGroup(pid), 0);
  auto again = launcher.Take();
  ASSERT_TRUE(again.ok()) << again.message();
  pid_t second = again->slot->pid();
  again->slot.reset();
  launcher.Shutdown();
  EXPECT_EQ(test_support::ProcessesInGroup(second), 0);
}
