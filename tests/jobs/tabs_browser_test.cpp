// --tabs K with the real thing: the Runner and a BrowserClientWorker of
// several tabs in one headless Chromium, against the demo portal on
// 127.0.0.1 port 0 and a real SQLite file, wired the way run_cycle.cpp does.
// Every boleto must be the portal's own bytes, each client's its own, and
// no browser process may outlive the worker - also when the browser is
// killed while three tabs are in it.

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "../cdp/process_census.h"
#include "../store/store_test_support.h"
#include "cdp/browser_process.h"
#include "core/period.h"
#include "demo_portal.h"
#include "flow/flow_parser.h"
#include "flow/flow_runner.h"
#include "jobs/browser_client_worker.h"
#include "jobs/runner.h"
#include "ops/memory_gauge.h"
#include "store/clients_csv.h"

namespace fs = std::filesystem;
using namespace boletos;
using boletos::store::testing::TempDir;

namespace {

constexpr const char* kPeriod = "2026-12";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Live processes whose command line mentions marker (the browsers' folder).
int ProcessesMentioning(const std::string& marker) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = ReadAll(entry.path().string() + "/cmdline");
    if (cmdline.find(marker) != std::string::npos) ++count;
  }
  return count;
}

// Lets a test act when `count` attempts are in flight at once, from the
// tab threads themselves: no polling, no sleeps.
class CountingWorker : public jobs::ClientWorker {
 public:
  explicit CountingWorker(jobs::ClientWorker& inner) : inner_(inner) {}
  jobs::AttemptResult Attempt(const store::WorkItem& item, int attempt) override {
    return AttemptInTab(item, attempt, 0, 0);
  }
  int tabs() const override { return inner_.tabs(); }
  jobs::AttemptResult AttemptInTab(const store::WorkItem& item, int attempt, int tab, int generation) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++in_flight_;
      ++started_;
    }
    cv_.notify_all();
    jobs::AttemptResult r = inner_.AttemptInTab(item, attempt, tab, generation);
    {
      std::lock_guard<std::mutex> lock(mu_);
      --in_flight_;
      if (!r.ok()) ++failed_by_generation_[generation];
    }
    return r;
  }
  // Waits until at least `count` attempts run at once after `after` began;
  // false if the run ended first.
  bool WaitForParallel(int count, int after) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return (in_flight_ >= count && started_ > after) || ended_; });
    return !ended_;
  }
  void RunEnded() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ended_ = true;
    }
    cv_.notify_all();
  }
  void Recycle(const std::string& reason) override { inner_.Recycle(reason); }
  void PrepareNextBrowser() override { inner_.PrepareNextBrowser(); }
  pid_t next_browser_pid() const override { return inner_.next_browser_pid(); }
  bool MoveToNextBrowser(const std::string& reason) override {
    bool moved = inner_.MoveToNextBrowser(reason);
    std::lock_guard<std::mutex> lock(mu_);
    if (moved) busy_at_moves_.push_back(in_flight_);
    if (moved && stop_at_move_ && in_flight_ > 1) stopped_at_generation_ = static_cast<int>(busy_at_moves_.size());
    if (moved && in_flight_ > 1) retired_with_clients_.push_back(inner_.retired_browser_pid());
    if (moved && stop_at_move_ && in_flight_ > 1) {
      // A stop whose grace period runs out at once: both browsers have clients.
      stop_at_move_ = false;
      stop_requested_ = true;
      inner_.Abandon();
      if (after_acting_) after_acting_();
    }
    if (moved && kill_retired_ && in_flight_ > 1) {
      // Its clients in flight are mid-way in it (the new one's has not started).
      kill(-inner_.retired_browser_pid(), SIGKILL);
      killed_retired_.push_back(inner_.retired_browser_pid());
      kill_retired_ = false;
      if (after_acting_) after_acting_();
    }
    return moved;
  }
  // Kills the first browser a move retires while it still has clients,
  // then calls then().
  void KillTheFirstRetiredBrowser(std::function<void()> then = {}) {
    kill_retired_ = true;
    after_acting_ = std::move(then);
  }
  // Asks for a stop, and abandons every browser, at the first move that
  // retires a browser with clients still in it; then calls then().
  void StopAtTheFirstMove(std::function<void()> then = {}) {
    stop_at_move_ = true;
    after_acting_ = std::move(then);
  }
  bool stop_requested() const { return stop_requested_.load(); }
  // The generation moved on to when the stop came (-1: none), and the
  // failed attempts of each generation.
  int StoppedAtGeneration() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_at_generation_;
  }
  std::map<int, int> FailedByGeneration() {
    std::lock_guard<std::mutex> lock(mu_);
    return failed_by_generation_;
  }
  std::vector<pid_t> RetiredWithClients() {
    std::lock_guard<std::mutex> lock(mu_);
    return retired_with_clients_;
  }
  std::vector<pid_t> KilledRetired() {
    std::lock_guard<std::mutex> lock(mu_);
    return killed_retired_;
  }
  // Attempts in flight at each move to the next browser.
  std::vector<int> BusyAtMoves() {
    std::lock_guard<std::mutex> lock(mu_);
    return busy_at_moves_;
  }
  void CloseRetiredBrowser() override { inner_.CloseRetiredBrowser(); }
  pid_t retired_browser_pid() const override { return inner_.retired_browser_pid(); }
  int downloads_since_start() const override { return inner_.downloads_since_start(); }
  int browser_restarts() const override { return inner_.browser_restarts(); }
  pid_t browser_pid() const override { return inner_.browser_pid(); }
  void Abandon() override { inner_.Abandon(); }
  void Shutdown() override { inner_.Shutdown(); }

 private:
  jobs::ClientWorker& inner_;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  int started_ = 0;
  bool ended_ = false;
  std::vector<int> busy_at_moves_;
  bool kill_retired_ = false;
  bool stop_at_move_ = false;
  std::function<void()> after_acting_;
  int stopped_at_generation_ = -1;
  std::map<int, int> failed_by_generation_;
  std::atomic<bool> stop_requested_{false};
  std::vector<pid_t> retired_with_clients_;
  std::vector<pid_t> killed_retired_;
};

// Everything run_cycle.cpp builds, over the first n clients of demo/clients.csv.
class Rig {
 public:
  Rig(int clients, int tabs, const std::string& faults = "", bool short_timeouts = false) {
    std::ifstream in(std::string(DEMO_DIR) + "/clients.csv");
    std::string csv, line;
    for (int i = 0; i <= clients && std::getline(in, line); ++i) csv += line + "\n";
    std::string csv_path = dir_.Write("clients.csv", csv);

    auto portal = demo::DemoPortal::Start(demo::PortalOptions{csv_path, "demo", "demo123", faults, 7, 0});
    EXPECT_TRUE(portal.ok()) << portal.message();
    portal_ = std::move(*portal);
    auto db = store::OpenSqliteStore(dir_.File("boletos.db"));
    EXPECT_TRUE(db.ok()) << db.message();
    db_ = std::move(*db);
    auto read = store::ReadClientsCsv(csv_path);
    EXPECT_TRUE(read.ok()) << read.message();
    for (const auto& c : *read) ids_.push_back(c.id);
    EXPECT_TRUE(db_->ImportClients(*read).ok());

    std::string flow_text = ReadAll(std::string(DEMO_DIR) + "/flow.yaml");
    if (short_timeouts) {
      // An expired session or a 500 lands on a page without the search
      // form: fail in seconds, not the default 30 s.
      const std::string fill = "value: \"{{client.document}}\" }";
      flow_text.replace(flow_text.find(fill), fill.size(), "value: \"{{client.document}}\", timeout: 3s }");
      const std::string wait = "timeout: 20s";
      flow_text.replace(flow_text.find(wait), wait.size(), "timeout: 2s");
      // A blob fetch that got a 500 yields nothing at all.
      const std::string download = "html: print }";
      flow_text.replace(flow_text.find(download), download.size(), "html: print, timeout: 5s }");
    }
    auto flow = flow::LoadFlowFile(dir_.Write("flow.yaml", flow_text), {{"base_url", portal_->url()}});
    EXPECT_TRUE(flow.ok()) << flow.message();
    flow_ = std::make_unique<flow::Flow>(std::move(*flow));
    flow::EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
      if (name == "PORTAL_USER") return "demo";
      if (name == "PORTAL_PASSWORD") return "demo123";
      return std::nullopt;
    };
    flow::AddSecrets(*flow_, env, redactor_);
    period_ = *ParsePeriod(kPeriod);
    flow_runner_ = std::make_unique<flow::FlowRunner>(*flow_, period_, env);
    check_ = std::make_unique<jobs::SlipCheck>(flow_->max_pdf_mb, period_);
    out_ = std::make_unique<jobs::OutputFolder>(dir_.File("out"), kPeriod);
    EXPECT_TRUE(out_->Prepare().ok());

    fs::create_directories(browsers());
    jobs::WorkerSettings settings;
    auto chromium = cdp::FindChromium("");
    EXPECT_TRUE(chromium.ok()) << chromium.message();
    settings.launch.executable = *chromium;
    settings.launch.temp_root = browsers();
    settings.period = kPeriod;
    settings.tabs = tabs;
    worker_ = std::make_unique<jobs::BrowserClientWorker>(settings, *flow_runner_, *check_, *out_, *db_, redactor_);
    counting_ = std::make_unique<CountingWorker>(*worker_);
  }

  ~Rig() {
    worker_.reset();
    EXPECT_EQ(ProcessesMentioning(browsers()), 0) << "a browser outlived its worker";
  }

  jobs::RunEnd Run(int recycle_every, int max_attempts, int64_t* run_id_out = nullptr) {
    jobs::RunnerOptions o;
    o.period = kPeriod;
    o.recycle_every = recycle_every;
    o.max_attempts = max_attempts;
    o.max_consecutive_failures = 1000;  // the faults are the test, not a portal that is down
    o.memory_log_every = 0;
    // The readings are real, but this test process holds the portal too
    // and, under ASan, some 200 MB of shadow memory: against 512 MB the
    // Runner would recycle for memory after nearly every client.
    o.memory_limit_mb = 64 * 1024;
    o.backoff.base = std::chrono::milliseconds(50);
    o.backoff.cap = std::chrono::milliseconds(400);
    jobs::RunnerEnvironment env{
        [this] { return counting_->stop_requested(); },
        // The backoff before a retry: a deadline, not a synchronisation.
        [](std::chrono::steady_clock::time_point t) {
          std::this_thread::sleep_until(t);
          return true;
        },
        // Real readings, as run_cycle.cpp takes them: they decide whether
        // the next browser starts ahead.
        [this](const std::vector<pid_t>& browsers, bool full) {
          ops::MemorySnapshot s = gauge_.Read(browsers, full);
          std::lock_guard<std::mutex> lock(pids_mu_);
          browser_pids_.insert(browsers.begin(), browsers.end());
          jobs::MemoryReading m;
          m.worker_rss_kb = s.worker_rss_kb;
          m.browser_pss_kb = s.browser_pss_kb;
          m.browser_pss_own_kb = s.browser_pss_own_kb;
          m.browser_pss_estimated = s.browser_pss_estimated;
          return m;
          return jobs::MemoryReading{};
        },
        [] { return std::string("SIGTERM"); }, /*redact=*/{}};
    auto run_id = db_->BeginRun(kPeriod, getpid(), "test");
    EXPECT_TRUE(run_id.ok());
    if (run_id_out) *run_id_out = *run_id;
    runner_ = std::make_unique<jobs::Runner>(o, *db_, *counting_, env);
    jobs::RunEnd end = runner_->Run(*run_id);
    counting_->RunEnded();
    worker_->Shutdown();
    return end;
  }

  std::map<std::string, store::ExportRow> Rows() {
    std::map<std::string, store::ExportRow> rows;
    EXPECT_TRUE(db_->ForEachExportRow(kPeriod, [&](const store::ExportRow& r) { rows[r.id] = r; }).ok());
    return rows;
  }

  // Every client done, each file its own and the portal's: the same bytes
  // for files the portal sends, the right slip for HTML pages printed here.
  void ExpectAllDoneWithTheirOwnSlips() {
    auto rows = Rows();
    ASSERT_EQ(rows.size(), ids_.size());
    std::set<std::string> files, hashes;
    for (const auto& id : ids_) {
      const store::ExportRow& row = rows[id];
      ASSERT_EQ(row.status, "done") << id << ": " << row.last_error;
      std::string bytes = ReadAll(dir_.File("out") + "/" + row.file);
      auto delivery = portal_->DeliveryOf(id);
      ASSERT_TRUE(delivery.ok());
      if (*delivery == demo::Delivery::kHtml) {
        auto facts = portal_->Facts(id, kPeriod);
        ASSERT_TRUE(facts.ok());
        EXPECT_EQ(bytes.rfind("%PDF-", 0), 0u) << id;
        EXPECT_EQ(row.facts.linha_digitavel, facts->linha_digitavel) << id << " got another client's slip";
      } else {
        auto expected = portal_->ExpectedPdf(id, kPeriod);
        ASSERT_TRUE(expected.ok());
        EXPECT_TRUE(bytes == *expected) << id << " (" << demo::DeliveryName(*delivery) << "): " << row.file
                                        << " is not the portal's slip";
      }
      EXPECT_EQ(static_cast<int64_t>(bytes.size()), row.bytes.value_or(-1)) << id;
      files.insert(row.file);
      hashes.insert(row.sha256);
      deliveries_.insert(*delivery);
    }
    EXPECT_EQ(files.size(), ids_.size()) << "two clients share a file";
    EXPECT_EQ(hashes.size(), ids_.size()) << "two clients got the same slip";
    // Nothing but finished boletos outside _failed/: no temporary left.
    int on_disk = 0;
    for (const auto& e : fs::directory_iterator(out_->period_dir())) on_disk += e.is_regular_file() ? 1 : 0;
    EXPECT_EQ(on_disk, static_cast<int>(ids_.size()));
  }

  // After Shutdown(): no member of any browser's process group is left.
  void ExpectNoBrowserLeft() {
    std::lock_guard<std::mutex> lock(pids_mu_);
    EXPECT_FALSE(browser_pids_.empty());
    for (pid_t pid : browser_pids_) EXPECT_EQ(test_support::ProcessesInGroup(pid), 0) << "browser group " << pid;
    EXPECT_EQ(ProcessesMentioning(browsers()), 0);
    EXPECT_EQ(test_support::ZombieChildren(), 0);
  }

  int PortalLogins() {
    httplib::Client client("127.0.0.1", portal_->port());
    auto res = client.Get("/__test/stats");
    EXPECT_TRUE(res && res->status == 200);
    return res ? nlohmann::json::parse(res->body).value("logins", -1) : -1;
  }

  std::string browsers() const { return dir_.File("browsers"); }
  demo::DemoPortal& portal() { return *portal_; }
  jobs::BrowserClientWorker& worker() { return *worker_; }
  CountingWorker& counting() { return *counting_; }
  const jobs::RunTotals& totals() const { return runner_->totals(); }
  const std::set<demo::Delivery>& deliveries() const { return deliveries_; }
  int clients() const { return static_cast<int>(ids_.size()); }
  const std::string& id(int i) const { return ids_.at(static_cast<size_t>(i)); }
  std::string FailedDir() const { return out_->period_dir() + "/_failed"; }

 private:
  TempDir dir_;
  std::unique_ptr<demo::DemoPortal> portal_;
  std::unique_ptr<store::Store> db_;
  std::vector<std::string> ids_;
  std::unique_ptr<flow::Flow> flow_;
  Redactor redactor_;
  Period period_;
  std::unique_ptr<flow::FlowRunner> flow_runner_;
  std::unique_ptr<jobs::SlipCheck> check_;
  std::unique_ptr<jobs::OutputFolder> out_;
  std::unique_ptr<jobs::BrowserClientWorker> worker_;
  std::unique_ptr<CountingWorker> counting_;
  std::unique_ptr<jobs::Runner> runner_;
  ops::MemoryGauge gauge_;
  std::mutex pids_mu_;
  std::set<pid_t> browser_pids_;
  std::set<demo::Delivery> deliveries_;
};

}  // namespace

TEST(TabsInABrowser, FourTabsDownloadEveryClientsOwnSlipAcrossRecycles) {
  Rig rig(24, 4);
  EXPECT_EQ(rig.Run(/*recycle_every=*/5, /*max_attempts=*/3), jobs::RunEnd::kFinished);
  rig.ExpectAllDoneWithTheirOwnSlips();
  EXPECT_EQ(rig.deliveries().size(), 5u) << "all five ways the portal delivers";
  EXPECT_EQ(rig.totals().done, rig.clients());
  EXPECT_GE(rig.totals().recycles, 3);
  rig.ExpectNoBrowserLeft();
}

TEST(TabsInABrowser, TheNextBrowserStartsAheadLoggedInAndTakesOverAtEachRecycle) {
  Rig rig(16, 3);
  EXPECT_EQ(rig.Run(/*recycle_every=*/4, /*max_attempts=*/3), jobs::RunEnd::kFinished);
  rig.ExpectAllDoneWithTheirOwnSlips();
  const int browsers = 4;  // 16 clients, 4 downloads each, no failure
  EXPECT_GE(rig.totals().recycles, browsers - 1);
  // Each browser after the first started beside the one before and then
  // became the current one; the last one started none.
  EXPECT_EQ(rig.worker().browsers_taken_over(), browsers - 1);
  // A tab that came free moved on to the next browser while the old one
  // still had clients in flight, rather than wait for them.
  std::vector<int> busy = rig.counting().BusyAtMoves();
  // (The wrapper's count drops when an attempt returns, the Runner's when it
  // is recorded: a move may see none of the old ones still running.)
  EXPECT_GE(std::count_if(busy.begin(), busy.end(), [](int n) { return n >= 1; }), 1)
      << ::testing::PrintToString(busy);
  // One login per browser: the one done ahead is not done again, and its
  // other tabs share it.
  EXPECT_EQ(rig.PortalLogins(), browsers);
  rig.ExpectNoBrowserLeft();
}

TEST(TabsInABrowser, ThreeTabsOnAFaultyPortalEndWithEveryClientDoneAndForeignSlipsRefused) {
  Rig rig(15, 3, "expire_every=5,http500=0.15,truncate=0.1,wrong_client=0.1", /*short_timeouts=*/true);
  EXPECT_EQ(rig.Run(/*recycle_every=*/10, /*max_attempts=*/40), jobs::RunEnd::kFinished);
  rig.ExpectAllDoneWithTheirOwnSlips();
  auto injected = rig.portal().faults().counts();
  EXPECT_GT(injected["expired_session"], 0);
  EXPECT_GT(injected["wrong_client"], 0);
  // Slips of other clients (and pages printed in their place) were refused;
  // the byte checks above show none was recorded as done. Not compared with
  // the portal's count: Chromium may fetch one link twice and keep one.
  EXPECT_GT(rig.totals().foreign_refused, 0);
  // Refused slips were kept in _failed/ until their client was done.
  for (const auto& e : fs::directory_iterator(rig.FailedDir())) {
    EXPECT_EQ(e.path().string().find(".rejected.pdf"), std::string::npos) << e.path() << " outlived its client's success";
  }
  EXPECT_GT(rig.totals().failed_attempts, 0);
  rig.ExpectNoBrowserLeft();
}

TEST(TabsInABrowser, ABrowserKilledWhileThreeTabsAreInItIsReplacedAndTheRunGoesOn) {
  Rig rig(18, 3);
  pid_t killed = -1;
  std::thread killer([&] {
    // Three attempts in the browser at once, after a few clients are done.
    if (!rig.counting().WaitForParallel(3, 6)) return;
    killed = rig.worker().browser_pid();
    if (killed > 0) kill(-killed, SIGKILL);
  });
  jobs::RunEnd end = rig.Run(/*recycle_every=*/100, /*max_attempts=*/4);
  killer.join();
  ASSERT_GT(killed, 0) << "three tabs were never in flight at once";
  EXPECT_EQ(end, jobs::RunEnd::kFinished);
  rig.ExpectAllDoneWithTheirOwnSlips();
  EXPECT_GE(rig.worker().browser_restarts(), 1) << "a fresh browser took over";
  EXPECT_GE(rig.totals().failed_attempts, 1) << "the attempts in the killed browser count as failed";
  EXPECT_LE(rig.totals().failed_attempts, 3) << "only the attempts that were in the killed browser";
  EXPECT_EQ(test_support::ProcessesInGroup(killed), 0);
  rig.ExpectNoBrowserLeft();
}

// Both tests below act at the first move, with the first browser's last two
// clients (of 4: recycle every 4) mid-way in it: the portal holds their
// slips, so at that move both are certainly in the old browser, in its
// download step. The holds end once the test has acted.

TEST(TabsInABrowser, ARetiredBrowserKilledWithClientsInItCostsThemAnAttemptAndNothingElse) {
  Rig rig(16, 3);
  rig.portal().HoldFirstDownloads({rig.id(2), rig.id(3)});
  rig.counting().KillTheFirstRetiredBrowser([&] { rig.portal().ReleaseHeldDownloads(); });
  EXPECT_EQ(rig.Run(/*recycle_every=*/4, /*max_attempts=*/3), jobs::RunEnd::kFinished);
  std::vector<pid_t> killed = rig.counting().KilledRetired();
  ASSERT_EQ(killed.size(), 1u) << "no move retired a browser with two clients in flight";
  EXPECT_EQ(rig.counting().BusyAtMoves().front(), 2);
  rig.ExpectAllDoneWithTheirOwnSlips();
  // Only its two clients failed, once each, and were done later; the
  // current browser went on: no drain, no replacement.
  EXPECT_EQ(rig.totals().failed_attempts, 2);
  EXPECT_EQ(rig.Rows()[rig.id(2)].attempts, 2);
  EXPECT_EQ(rig.Rows()[rig.id(3)].attempts, 2);
  EXPECT_EQ(rig.worker().browser_restarts(), rig.totals().recycles) << "a browser was started for the death";
  EXPECT_EQ(test_support::ProcessesInGroup(killed[0]), 0);
  rig.ExpectNoBrowserLeft();
}

TEST(TabsInABrowser, AStopAtAMoveAbandonsTheClientsStillInTheRetiredBrowserAndLeavesNoBrowser) {
  Rig rig(16, 3);
  rig.portal().HoldFirstDownloads({rig.id(2), rig.id(3)});
  rig.counting().StopAtTheFirstMove([&] { rig.portal().ReleaseHeldDownloads(); });
  EXPECT_EQ(rig.Run(/*recycle_every=*/4, /*max_attempts=*/3), jobs::RunEnd::kInterrupted);
  std::vector<pid_t> retired = rig.counting().RetiredWithClients();
  int moved_to = rig.counting().StoppedAtGeneration();
  ASSERT_EQ(retired.size(), 1u) << "no move retired a browser with two clients in flight";
  ASSERT_EQ(moved_to, 1);
  // The clients cut off were abandoned, not failed: the next run does them.
  EXPECT_EQ(rig.totals().failed_attempts, 0);
  EXPECT_EQ(rig.totals().done, 2);
  for (const auto& [id, row] : rig.Rows()) {
    EXPECT_TRUE(row.status == "done" || row.status == "pending") << id << " " << row.status;
  }
  EXPECT_EQ(rig.Rows()[rig.id(2)].status, "pending");
  EXPECT_EQ(rig.Rows()[rig.id(3)].status, "pending");
  EXPECT_EQ(test_support::ProcessesInGroup(retired[0]), 0) << "the retired browser outlived the stop";
  rig.ExpectNoBrowserLeft();
  // The stop killed the retired browser under its two clients (Abandon),
  // not only the current one.
  EXPECT_EQ(rig.counting().FailedByGeneration()[0], 2);
}
