#pragma once
// Rig: the Runner over real headless Chromiums, wired the way run_cycle.cpp
// does, against the demo portal on 127.0.0.1 port 0 and a real SQLite file,
// over the first n clients of demo/clients.csv; with checks that every
// boleto is the portal's own bytes, each client's its own, and that no
// browser process outlives the run. The launcher is watched
// (WatchedLauncher) so a test can act at a move.

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
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
#include "jobs/chromium_launcher.h"
#include "jobs/runner.h"
#include "ops/memory_gauge.h"
#include "store/clients_csv.h"
#include "watched_launcher.h"

namespace boletos::jobs::testing {

namespace fs = std::filesystem;
using boletos::store::testing::TempDir;

inline constexpr const char* kPeriod = "2026-12";

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Live processes whose command line mentions marker (the browsers' folder).
inline int ProcessesMentioning(const std::string& marker) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = ReadAll(entry.path().string() + "/cmdline");
    if (cmdline.find(marker) != std::string::npos) ++count;
  }
  return count;
}

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
    cdp::LaunchOptions launch;
    auto chromium = cdp::FindChromium("");
    EXPECT_TRUE(chromium.ok()) << chromium.message();
    launch.executable = *chromium;
    launch.temp_root = browsers();
    tabs_ = tabs;
    commit_ = std::make_unique<jobs::SlipCommit>(*flow_runner_, *check_, *out_, *db_, kPeriod, tabs);
    launcher_ = std::make_unique<jobs::ChromiumLauncher>(
        launch, tabs, jobs::SlotServices{*flow_runner_, *commit_, *out_, redactor_});
    watched_ = std::make_unique<jobs::testing::WatchedLauncher>(*launcher_);
  }

  ~Rig() {
    runner_.reset();
    launcher_.reset();
    EXPECT_EQ(ProcessesMentioning(browsers()), 0) << "a browser outlived its run";
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
        [this] { return stop_requested_.load(); },
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
        },
        [] { return std::string("SIGTERM"); }, /*redact=*/{}, /*attempt_recorded=*/{}};
    auto run_id = db_->BeginRun(kPeriod, getpid(), "test");
    EXPECT_TRUE(run_id.ok());
    if (run_id_out) *run_id_out = *run_id;
    o.tabs = tabs_;
    runner_ = std::make_unique<jobs::Runner>(o, *db_, *watched_, env);
    jobs::RunEnd end = runner_->Run(*run_id);  // every browser closed when it returns
    watched_->RunEnded();
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

  // After the run: no member of any browser's process group is left.
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
  jobs::testing::WatchedLauncher& watched() { return *watched_; }
  // The grace period of a stop ran out: from the Runner's thread too.
  void StopAndAbandon() {
    stop_requested_ = true;
    runner_->Abandon();
  }
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
  int tabs_ = 1;
  std::unique_ptr<jobs::SlipCommit> commit_;
  std::unique_ptr<jobs::ChromiumLauncher> launcher_;
  std::unique_ptr<jobs::testing::WatchedLauncher> watched_;
  std::atomic<bool> stop_requested_{false};
  std::unique_ptr<jobs::Runner> runner_;
  ops::MemoryGauge gauge_;
  std::mutex pids_mu_;
  std::set<pid_t> browser_pids_;
  std::set<demo::Delivery> deliveries_;
};


}  // namespace boletos::jobs::testing
