// The move to the next browser under interleavings the test builds itself:
// a GatedWorker whose attempts count their download and return only when
// the test says so, so the Runner sees exactly the order of events a real
// portal produced by chance (two tabs back at once, a download counted by
// the worker before the Runner has recorded it).

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "../store/store_test_support.h"
#include "jobs/runner.h"
#include "runner_envs.h"

using namespace boletos;
using namespace boletos::jobs;
using boletos::store::testing::Import;
using boletos::store::testing::OpenStore;
using boletos::store::testing::TempDir;
using boletos::jobs::testing::RoomyEnv;

namespace {

// A bound on every wait, so a Runner that never does what the test waits
// for fails the test instead of hanging it. Nothing here sleeps.
constexpr auto kBound = std::chrono::seconds(10);

class GatedWorker : public ClientWorker {
 public:
  explicit GatedWorker(int tabs) : tabs_(tabs) {}

  // The client's attempt counts its download (as BrowserClientWorker does
  // once the file is committed) but does not return yet.
  void LetCount(const std::string& id) { Open(id, Gate::kCount); }
  // The client's attempt returns (counting its download first if not yet).
  void LetReturn(const std::string& id) { Open(id, Gate::kReturn); }
  void LetAllReturn() {
    std::lock_guard<std::mutex> lock(mu_);
    all_return_ = true;
    cv_.notify_all();
  }
  // Waits until every id given has an attempt in flight.
  bool WaitInFlight(const std::set<std::string>& ids) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kBound, [&] {
      for (const auto& id : ids) {
        if (!in_flight_.count(id)) return false;
      }
      return true;
    });
  }
  // Waits until the client's attempt has counted its download.
  bool WaitCounted(const std::string& id) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kBound, [&] { return counted_.count(id) > 0; });
  }
  // Waits until the first move; false if none came within the bound.
  bool WaitForMove() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, kBound, [&] { return moves_ > 0; });
  }
  // The browser (generation) each client's attempt was handed out for.
  std::map<std::string, int> GenerationOf() {
    std::lock_guard<std::mutex> lock(mu_);
    return generation_of_;
  }
  std::map<int, int> DownloadsByGeneration() {
    std::lock_guard<std::mutex> lock(mu_);
    return downloads_by_generation_;
  }

  int tabs() const override { return tabs_; }
  AttemptResult Attempt(const store::WorkItem& item, int attempt) override {
    return AttemptInTab(item, attempt, 0, 0);
  }
  AttemptResult AttemptInTab(const store::WorkItem& item, int, int, int generation) override {
    const std::string& id = item.client.id;
    std::unique_lock<std::mutex> lock(mu_);
    in_flight_.insert(id);
    generation_of_[id] = generation;
    cv_.notify_all();
    cv_.wait(lock, [&] { return all_return_ || gates_[id] >= Gate::kCount; });
    ++downloads_by_generation_[generation];
    if (generation == generation_) ++downloads_;
    counted_.insert(id);
    cv_.notify_all();
    cv_.wait(lock, [&] { return all_return_ || gates_[id] >= Gate::kReturn; });
    in_flight_.erase(id);
    AttemptSuccess s;
    s.download.file = "2026-12/" + id + ".pdf";
    s.download.bytes = 10;
    s.download.sha256 = std::string(64, 'c');
    return s;
  }
  void PrepareNextBrowser() override {
    std::lock_guard<std::mutex> lock(mu_);
    ahead_ = true;
  }
  pid_t next_browser_pid() const override { return ahead_ ? 4343 : -1; }
  bool MoveToNextBrowser(const std::string&) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!ahead_ || retired_) return false;
    ++moves_;
    ahead_ = false;
    retired_ = true;
    ++generation_;
    downloads_ = 0;
    cv_.notify_all();
    return true;
  }
  void CloseRetiredBrowser() override {
    std::lock_guard<std::mutex> lock(mu_);
    retired_ = false;
  }
  pid_t retired_browser_pid() const override { return retired_ ? 4141 : -1; }
  void Recycle(const std::string&) override {
    std::lock_guard<std::mutex> lock(mu_);
    ahead_ = false;
    downloads_ = 0;
  }
  int downloads_since_start() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return downloads_;
  }
  int browser_restarts() const override { return 0; }
  pid_t browser_pid() const override { return 4242; }
  void Abandon() override {}
  void Shutdown() override {}

 private:
  enum class Gate { kClosed, kCount, kReturn };
  void Open(const std::string& id, Gate gate) {
    std::lock_guard<std::mutex> lock(mu_);
    gates_[id] = gate;
    cv_.notify_all();
  }

  int tabs_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Gate> gates_;
  std::set<std::string> in_flight_;
  std::set<std::string> counted_;
  bool all_return_ = false;
  bool ahead_ = false;
  bool retired_ = false;
  int generation_ = 0;
  int downloads_ = 0;
  int moves_ = 0;
  std::map<std::string, int> generation_of_;
  std::map<int, int> downloads_by_generation_;
};

// Recycle every 4, 3 tabs, 8 clients: c100..c102 start together. c101's
// download is counted by the worker before c100 returns, so when the
// Runner records c100 the browser's budget looks taken and nothing is
// dispatched; then c101 returns, the Runner dispatches c103, which takes the
// browser's last room, and one tab is still free. It must move on at once,
// with c102 and c103 still in the old browser - not once one of them ends.
TEST(MoveInterleavings, ATabStillFreeWhenTheDispatchTookTheLastRoomMovesOnWithoutWaitingForAnAttemptToEnd) {
  TempDir dir;
  auto db = OpenStore(dir);
  Import(*db, {"c100", "c101", "c102", "c103", "c104", "c105", "c106", "c107"});
  GatedWorker worker(3);
  RunnerOptions o;
  o.period = "2026-12";
  o.recycle_every = 4;
  RoomyEnv memory;
  Runner runner(o, *db, worker, memory.Env());
  auto run = db->BeginRun("2026-12", 1, "test");
  ASSERT_TRUE(run.ok());

  RunEnd end = RunEnd::kSomeFailed;
  std::thread loop([&] { end = runner.Run(*run); });
  bool moved = false;
  if (worker.WaitInFlight({"c100", "c101", "c102"})) {
    worker.LetCount("c101");
    if (worker.WaitCounted("c101")) {
      worker.LetReturn("c100");
      worker.LetReturn("c101");
      // c102 and c103 cannot end before LetAllReturn: a move now is one
      // made while both are still in the old browser.
      moved = worker.WaitForMove();
    }
  }
  worker.LetAllReturn();  // whatever happened, let the run end
  loop.join();

  ASSERT_TRUE(moved) << "the free tab waited for c102 or c103 to end before moving on";
  std::map<std::string, int> generation_of = worker.GenerationOf();
  EXPECT_EQ(generation_of["c102"], 0);
  EXPECT_EQ(generation_of["c103"], 0);
  EXPECT_EQ(generation_of["c104"], 1) << "the next client went to the browser started ahead";
  EXPECT_EQ(end, RunEnd::kFinished);
  EXPECT_EQ(db->Report("2026-12")->counts.done, 8);
  // The old browser took its 4 and no more.
  EXPECT_EQ(worker.DownloadsByGeneration()[0], 4);
}

}  // namespace
