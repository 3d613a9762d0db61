// The job loop with a worker of several tabs: every tab kept busy, the
// browser recycled only when no tab is in it, a dead browser drained before
// anything new starts, and every outcome recorded exactly once.

#include "jobs/runner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "../store/store_test_support.h"
#include "runner_envs.h"

using namespace boletos;
using namespace boletos::jobs;
using boletos::store::testing::Import;
using boletos::store::testing::OpenStore;
using boletos::store::testing::TempDir;
using boletos::jobs::testing::QuietEnv;
using boletos::jobs::testing::RoomyEnv;

namespace {

// Each attempt takes a little while, so tabs overlap; counts how many run at
// once and checks the Runner's promises from the worker's side.
class TabbedWorker : public ClientWorker {
 public:
  explicit TabbedWorker(int tabs) : tabs_(tabs) {}
  std::atomic<int> in_flight{0};
  std::atomic<int> most_at_once{0};
  std::atomic<int> downloads{0};
  std::atomic<int> recycles_while_busy{0};
  std::atomic<int> attempts_while_dead{0};
  std::atomic<bool> dead{false};
  std::atomic<bool> dying{false};  // an attempt that kills the browser is in flight
  std::set<std::string> kill_browser_on;  // these clients' first attempt kills the browser
  std::mutex mu;
  std::multiset<std::string> attempted;
  std::set<int> tabs_used;
  std::vector<std::string> recycle_reasons;
  std::vector<int> downloads_per_browser;  // at each recycle
  std::atomic<bool> ahead{false};          // a next browser is starting ahead
  std::vector<int> downloads_when_ahead;   // the current browser's downloads when each started
  // Moves (MoveToNextBrowser) happen only when can_move is set; then the
  // tabs take 20, 35, 50 ms, so they seldom finish together.
  bool can_move = false;
  int generation = 0;           // of the current browser
  bool retired = false;         // the one before still finishes its attempts
  int browser = 0;              // one more at each recycle or move
  std::map<int, int> browser_of_generation{{0, 0}};
  std::vector<int> busy_at_move;  // attempts in flight at each move
  std::map<int, int> downloads_by_browser;
  std::atomic<int> attempts_in_closed_browser{0};
  std::atomic<int> closes{0};

  int tabs() const override { return tabs_; }
  AttemptResult Attempt(const store::WorkItem& item, int attempt) override {
    return AttemptInTab(item, attempt, 0, 0);
  }
  AttemptResult AttemptInTab(const store::WorkItem& item, int attempt, int tab, int gen) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (gen != generation && !(gen == generation - 1 && retired)) ++attempts_in_closed_browser;
      if (dead) {
        // Like BrowserClientWorker::EnsureBrowser: the first attempt to find
        // no other tab in the dead browser starts a fresh one; any other was
        // sent into a dead browser, which the Runner must not do. Checked
        // before this attempt counts in in_flight: a dying tab waits for
        // in_flight to reach the tab count and then kills the browser.
        if (in_flight == 0) dead = false;
        else ++attempts_while_dead;
      }
      int now = ++in_flight;
      int seen = most_at_once.load();
      while (now > seen && !most_at_once.compare_exchange_weak(seen, now)) {
      }
      attempted.insert(item.client.id);
      tabs_used.insert(tab);
    }
    // The browser dies in one tab once every tab is busy (so the others are
    // mid-client in it); polled with a bound, in case the Runner never fills them.
    bool dies = attempt == 1 && kill_browser_on.count(item.client.id);
    if (dies) dying = true;
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (dies && in_flight < tabs_ && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (!dies) std::this_thread::sleep_for(std::chrono::milliseconds(can_move ? 20 + 15 * tab : 30));
    // Mid-client in a browser that is about to die: it dies under this one
    // too (no success slips out between the death and the Runner hearing of it).
    while (!dies && dying && !dead && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    AttemptResult result = Outcome(item, attempt, gen);
    --in_flight;
    return result;
  }
  AttemptResult Outcome(const store::WorkItem& item, int attempt, int gen) {
    if (attempt == 1 && kill_browser_on.count(item.client.id)) {
      dead = true;
      dying = false;
      return AttemptFailure{MakeError(ErrorKind::kTargetCrashed, "the browser died"), false, true};
    }
    if (dead) return AttemptFailure{MakeError(ErrorKind::kConnectionClosed, "closed"), false, true};
    {
      std::lock_guard<std::mutex> lock(mu);
      ++downloads_by_browser[browser_of_generation[gen]];
      if (gen == generation) ++downloads;
    }
    AttemptSuccess s;
    s.download.file = "2026-12/" + item.client.id + ".pdf";
    s.download.bytes = 10;
    s.download.sha256 = std::string(64, 'b');
    return s;
  }
  void PrepareNextBrowser() override {
    std::lock_guard<std::mutex> lock(mu);
    if (ahead) return;  // one at a time, as BrowserClientWorker
    ahead = true;
    downloads_when_ahead.push_back(downloads.load());
  }
  pid_t next_browser_pid() const override { return ahead ? 4343 : -1; }
  bool MoveToNextBrowser(const std::string&) override {
    std::lock_guard<std::mutex> lock(mu);
    if (!can_move || !ahead || retired) return false;
    busy_at_move.push_back(in_flight.load());
    ahead = false;
    retired = true;
    ++generation;
    browser_of_generation[generation] = ++browser;
    downloads = 0;
    return true;
  }
  void CloseRetiredBrowser() override {
    std::lock_guard<std::mutex> lock(mu);
    retired = false;
    ++closes;
  }
  pid_t retired_browser_pid() const override { return retired ? 4141 : -1; }
  void Recycle(const std::string& reason) override {
    if (in_flight > 0) ++recycles_while_busy;
    ahead = false;  // the next start takes it over
    std::lock_guard<std::mutex> lock(mu);
    browser_of_generation[generation] = ++browser;
    recycle_reasons.push_back(reason);
    downloads_per_browser.push_back(downloads.exchange(0));
  }
  int downloads_since_start() const override { return downloads; }
  int browser_restarts() const override { return 0; }
  pid_t browser_pid() const override { return 4242; }
  void Abandon() override {}
  void Shutdown() override {}

 private:
  int tabs_;
};

RunnerOptions Options() {
  RunnerOptions o;
  o.period = "2026-12";
  o.recycle_every = 0;
  o.backoff.base = std::chrono::milliseconds(2);
  o.backoff.cap = std::chrono::milliseconds(4);
  return o;
}

std::vector<std::string> Ids(int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) ids.push_back("c" + std::to_string(100 + i));
  return ids;
}

// 20 clients, 3 tabs, a new browser every 5, memory read from RoomyEnv:
// the run of the tests of the browser started ahead and of the move.
struct FiveEachRun {
  TempDir dir;
  std::unique_ptr<store::Store> db = OpenStore(dir);
  TabbedWorker worker{3};
  RoomyEnv memory;
  RunnerOptions options = Options();
  RunTotals totals;
  FiveEachRun() {
    Import(*db, Ids(20));
    options.recycle_every = 5;
  }
  RunEnd Run() {
    auto run = db->BeginRun("2026-12", 1, "test");
    Runner runner(options, *db, worker, memory.Env());
    RunEnd end = runner.Run(*run);
    totals = runner.totals();
    return end;
  }
  int Done() { return db->Report("2026-12")->counts.done; }
};

}  // namespace

TEST(Tabs, FourTabsWorkOnFourClientsAtOnceAndEveryClientIsDoneOnce) {
  TempDir dir;
  auto db = OpenStore(dir);
  Import(*db, Ids(24));
  TabbedWorker worker(4);
  auto run = db->BeginRun("2026-12", 1, "test");
  Runner runner(Options(), *db, worker, QuietEnv());
  EXPECT_EQ(runner.Run(*run), RunEnd::kFinished);
  EXPECT_EQ(db->Report("2026-12")->counts.done, 24);
  EXPECT_EQ(worker.attempted.size(), 24u);
  for (const auto& id : Ids(24)) EXPECT_EQ(worker.attempted.count(id), 1u) << id;
  EXPECT_EQ(worker.most_at_once.load(), 4);
  EXPECT_EQ(worker.tabs_used, (std::set<int>{0, 1, 2, 3}));
}

TEST(Tabs, TheBrowserIsRecycledOnlyWhenNoTabIsInIt) {
  TempDir dir;
  auto db = OpenStore(dir);
  Import(*db, Ids(30));
  TabbedWorker worker(3);
  auto o = Options();
  o.recycle_every = 5;
  auto run = db->BeginRun("2026-12", 1, "test");
  Runner runner(o, *db, worker, QuietEnv());
  EXPECT_EQ(runner.Run(*run), RunEnd::kFinished);
  EXPECT_EQ(db->Report("2026-12")->counts.done, 30);
  EXPECT_GE(worker.recycle_reasons.size(), 4u);
  EXPECT_EQ(worker.recycles_while_busy.load(), 0);
  EXPECT_EQ(runner.totals().recycles, static_cast<int>(worker.recycle_reasons.size()));
}

TEST(Tabs, ABrowserTakesNoMoreThanRecycleEveryDownloadsWhateverIsInFlight) {
  TempDir dir;
  auto db = OpenStore(dir);
  Import(*db, Ids(20));
  TabbedWorker worker(3);
  auto o = Options();
  o.recycle_every = 5;  // not a multiple of 3: the last tabs of each browser must stay idle
  auto run = db->BeginRun("2026-12", 1, "test");
  Runner runner(o, *db, worker, QuietEnv());
  EXPECT_EQ(runner.Run(*run), RunEnd::kFinished);
  EXPECT_EQ(db->Report("2026-12")->counts.done, 20);
  // At each recycle; the last browser's 5 go at shutdown, with no recycle.
  EXPECT_EQ(worker.downloads_per_browser, (std::vector<int>{5, 5, 5}));
  EXPECT_EQ(worker.downloads.load(), 5);
}

TEST(Tabs, ABrowserDeathIsDrainedBeforeAnyNewClientStartsAndTheBrokenClientsAreRetried) {
  TempDir dir;
  auto db = OpenStore(dir);
  Import(*db, Ids(16));
  TabbedWorker worker(4);
  worker.kill_browser_on = {"c105"};
  auto run = db->BeginRun("2026-12", 1, "test");
  Runner runner(Options(), *db, worker, QuietEnv());
  EXPECT_EQ(runner.Run(*run), RunEnd::kFinished);
  EXPECT_EQ(db->Report("2026-12")->counts.done, 16);
  // Only the tabs already in the dying browser failed; nothing started in it afterwards.
  EXPECT_GE(runner.totals().failed_attempts, 1);
  EXPECT_LE(runner.totals().failed_attempts, 4);
  EXPECT_EQ(worker.attempts_while_dead.load(), 0);
}

TEST(Tabs, TheNextBrowserStartsAheadWhileTheLastClientsOfEachBrowserButTheLastRun) {
  FiveEachRun r;
  TabbedWorker& worker = r.worker;
  EXPECT_EQ(r.Run(), RunEnd::kFinished);
  EXPECT_EQ(r.Done(), 20);
  // At each recycle; the last browser's 5 go at shutdown, with no recycle.
  EXPECT_EQ(worker.downloads_per_browser, (std::vector<int>{5, 5, 5}));
  EXPECT_EQ(worker.downloads.load(), 5);
  // Browsers 2 to 4 were started ahead, each before the one before had
  // finished its 5 clients; after the fourth no client was left.
  ASSERT_EQ(worker.downloads_when_ahead.size(), 3u) << ::testing::PrintToString(worker.downloads_when_ahead);
  for (int downloads : worker.downloads_when_ahead) EXPECT_LT(downloads, 5);
  // Readings meanwhile covered both browsers.
  EXPECT_EQ(r.memory.groups_read.count(std::vector<pid_t>{4242, 4343}), 1u);
  EXPECT_EQ(r.memory.groups_read.count(std::vector<pid_t>{4242}), 1u);
}
TEST(Tabs, NoBrowserStartsAheadWithoutRoomForTwoUnderTheSoftLimit) {
  FiveEachRun r;
  r.options.memory_limit_mb = 512;  // soft limit 358.4 MB: 10 + 100 + 250 would pass it
  r.memory.own_kb = 250 * 1024;
  EXPECT_EQ(r.Run(), RunEnd::kFinished);
  EXPECT_EQ(r.Done(), 20);
  EXPECT_TRUE(r.worker.downloads_when_ahead.empty());
  EXPECT_EQ(r.totals.recycles, 3) << "recycles go on as before: after 5, 10 and 15 downloads";
}
TEST(Tabs, OneTabNeverRunsTwoBrowsers) {
  TempDir dir;
  auto db = OpenStore(dir);
  Import(*db, Ids(12));
  TabbedWorker worker(1);
  auto o = Options();
  o.recycle_every = 4;
  RoomyEnv memory;
  auto run = db->BeginRun("2026-12", 1, "test");
  Runner runner(o, *db, worker, memory.Env());
  EXPECT_EQ(runner.Run(*run), RunEnd::kFinished);
  EXPECT_EQ(db->Report("2026-12")->counts.done, 12);
  EXPECT_TRUE(worker.downloads_when_ahead.empty());
}

TEST(Tabs, AFreeTabMovesOnToTheBrowserStartedAheadWhileTheOldOneFinishesItsLastClients) {
  FiveEachRun r;
  TabbedWorker& worker = r.worker;
  worker.can_move = true;
  EXPECT_EQ(r.Run(), RunEnd::kFinished);
  EXPECT_EQ(r.Done(), 20);
  // Each browser took its 5 clients, no more, also those finished after the move.
  EXPECT_EQ(worker.downloads_by_browser, (std::map<int, int>{{0, 5}, {1, 5}, {2, 5}, {3, 5}}));
  // Three new browsers; a move whenever a tab came free while the old one
  // still had clients in flight (a recycle when all had finished together).
  EXPECT_EQ(r.totals.recycles, 3);
  EXPECT_EQ(worker.busy_at_move.size() + worker.recycle_reasons.size(), 3u);
  // (The fake's count drops when an attempt returns, the Runner's when it
  // is recorded: a move may see none of the old ones still running.)
  EXPECT_GE(std::count_if(worker.busy_at_move.begin(), worker.busy_at_move.end(), [](int n) { return n >= 1; }), 1);
  EXPECT_EQ(worker.recycles_while_busy.load(), 0);
  // Every retired browser was closed once its last attempt was recorded, and
  // no attempt was sent to a closed one.
  EXPECT_EQ(worker.closes.load(), static_cast<int>(worker.busy_at_move.size()));
  EXPECT_EQ(worker.attempts_in_closed_browser.load(), 0);
  // Readings covered the retired browser beside the current one.
  bool read_retired = false;
  for (const auto& groups : r.memory.groups_read) {
    read_retired = read_retired || std::find(groups.begin(), groups.end(), 4141) != groups.end();
  }
  EXPECT_TRUE(read_retired);
}

TEST(Tabs, AMoveWaitsForTheBrowserStartedAhead) {
  // Without room for two browsers none starts ahead, so none is moved to:
  // the browser drains and is recycled as before.
  FiveEachRun r;
  TabbedWorker& worker = r.worker;
  worker.can_move = true;
  r.options.memory_limit_mb = 512;
  r.memory.own_kb = 250 * 1024;
  EXPECT_EQ(r.Run(), RunEnd::kFinished);
  EXPECT_TRUE(worker.busy_at_move.empty());
  EXPECT_EQ(worker.downloads_per_browser, (std::vector<int>{5, 5, 5}));
  EXPECT_EQ(worker.recycles_while_busy.load(), 0);
}

TEST(Tabs, WhileABrowserRetiresItsMemoryDoesNotRecycleTheOneJustTakenOver) {
  FiveEachRun r;
  TabbedWorker& worker = r.worker;
  worker.can_move = true;
  r.options.memory_limit_mb = 512;           // soft limit 358.4 MB
  r.memory.with_retired_kb = 400 * 1024;  // both browsers together pass it
  EXPECT_EQ(r.Run(), RunEnd::kFinished);
  EXPECT_EQ(r.Done(), 20);
  ASSERT_GE(worker.busy_at_move.size(), 1u) << "no move: nothing retired";
  for (const auto& reason : worker.recycle_reasons) EXPECT_EQ(reason.find("memory"), std::string::npos) << reason;
  EXPECT_EQ(worker.downloads_by_browser, (std::map<int, int>{{0, 5}, {1, 5}, {2, 5}, {3, 5}}));
}
