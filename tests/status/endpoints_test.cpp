// The status port while a run is in flight: a real SQLite store, the real
// Runner, and a worker that holds each client until the test lets it go.

#include <gtest/gtest.h>
#include <httplib.h>

#include <condition_variable>
#include <mutex>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "../ops/prometheus_checker.h"
#include "../store/store_test_support.h"
#include "jobs/runner.h"
#include "../jobs/fake_slots.h"
#include "status/status_service.h"

using namespace boletos;
using namespace boletos::status;
using boletos::store::testing::Import;
using boletos::store::testing::OpenStore;
using boletos::store::testing::TempDir;
using boletos::test_support::ParsePrometheus;
using Json = nlohmann::json;

namespace {

// Each attempt waits until the test has released that many clients.
class GatedBrowsers {
 public:
  jobs::AttemptResult Answer(const jobs::testing::FakeAttempt& a) {
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    in_flight_ = a.id;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_ >= entered_; });
    in_flight_.clear();
    jobs::AttemptSuccess s;
    s.download.file = "2026-12/" + a.id + ".pdf";
    s.download.bytes = 1000;
    s.download.sha256 = std::string(64, 'b');
    return s;
  }
  void Release(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    released_ += n;
    cv_.notify_all();
  }
  // Waits until the browser is inside attempt number n.
  bool WaitForAttempt(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10), [&] { return entered_ >= n && !in_flight_.empty(); });
  }
  jobs::testing::FakeLauncher launcher{[this](const jobs::testing::FakeAttempt& a) { return Answer(a); }};

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0, released_ = 0;
  std::string in_flight_;
};

constexpr auto kStuckAfter = std::chrono::milliseconds(1500);

struct InFlightRun {
  TempDir dir;
  std::unique_ptr<store::Store> db = OpenStore(dir);
  GatedBrowsers worker;
  LiveStatus live{512};
  std::atomic<int> readings{0};
  std::unique_ptr<StatusService> service;
  std::thread loop;

  // Starts a 5-client run; memory is logged (and stored) after every client,
  // browser PSS growing by 10 MB each time.
  void Start() {
    Import(*db, {"c1", "c2", "c3", "c4", "c5"});
    live.CycleStarting("2026-12");
    StatusServiceOptions so;
    so.health.stuck_after = kStuckAfter;
    auto started = StatusService::Start(*db, live, so);
    ASSERT_TRUE(started.ok()) << started.message();
    service = std::move(*started);
    loop = std::thread([this] {
      auto run_id = db->BeginRun("2026-12", getpid(), "test");
      ASSERT_TRUE(run_id.ok());
      jobs::RunnerOptions o;
      o.period = "2026-12";
      o.memory_log_every = 1;
      jobs::RunnerEnvironment env{[] { return false; }, [](auto) { return true; },
                                  [this](const std::vector<pid_t>&, bool) {
                                    int n = ++readings;
                                    jobs::MemoryReading m;
                                    m.worker_rss_kb = 20 * 1024 + n;
                                    m.browser_pss_kb = (100 + 10 * n) * 1024;
                                    m.browser_processes = 1;
                                    m.browsers = 1;
                                    return m;
                                  },
                                  [] { return std::string("SIGTERM"); }, /*redact=*/{},
                                  [this](bool died, int new_restarts, pid_t pid) {
                                    live.AttemptEnded(died, new_restarts, pid);
                                  }};
      jobs::Runner runner(o, *db, worker.launcher, env);
      RunAttachment attached(&live, *run_id, "2026-12", runner);
      runner.Run(*run_id);
      ASSERT_TRUE(db->EndRun(*run_id, store::RunOutcome::kFinished, runner.summary()).ok());
    });
  }
  ~InFlightRun() {
    worker.Release(100);
    if (loop.joinable()) loop.join();
  }
  httplib::Result Get(const std::string& path) {
    httplib::Client client("127.0.0.1", service->port());
    return client.Get(path.c_str());
  }
};

}  // namespace

TEST(StatusPort, ServesTheRunInFlight) {
  InFlightRun run;
  ASSERT_NO_FATAL_FAILURE(run.Start());
  run.worker.Release(2);
  ASSERT_TRUE(run.worker.WaitForAttempt(3));
  auto t_in_flight = std::chrono::steady_clock::now();

  auto health = run.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200) << health->body;
  EXPECT_EQ(health->body.rfind("ok: run ", 0), 0u) << health->body;
  EXPECT_NE(health->body.find("3/5 clients"), std::string::npos) << health->body;

  auto status = run.Get("/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(status->get_header_value("Content-Type"), "application/json");
  Json j = Json::parse(status->body);
  // The same JSON as `status --json`...
  EXPECT_EQ(j["period"], "2026-12");
  EXPECT_EQ(j["running"], true);
  EXPECT_EQ(j["counts"]["done"], 2);
  EXPECT_EQ(j["counts"]["pending"], 3);
  EXPECT_EQ(j["last_success"]["id"], "c2");
  EXPECT_EQ(j["runs"][0]["outcome"], "running");
  EXPECT_EQ(j["last_memory"]["browser_pss_kb"], 120 * 1024);
  // ...plus what only the live loop knows.
  const Json& live = j["live"];
  EXPECT_EQ(live["phase"], "running");
  EXPECT_EQ(live["healthy"], true);
  EXPECT_EQ(live["run"]["id"], j["runs"][0]["id"]);
  EXPECT_EQ(live["run"]["progress"], "3/5");
  EXPECT_EQ(live["run"]["current_client"], "c3");
  EXPECT_EQ(live["run"]["done"], 2);
  EXPECT_EQ(live["run"]["bytes"], 2000);
  EXPECT_EQ(live["memory"]["browser_pss_kb"], 120 * 1024);
  EXPECT_EQ(live["memory"]["limit_kb"], 512 * 1024);
  EXPECT_EQ(live["memory"]["browsers"], 1);
  EXPECT_EQ(live["failures"]["failed_attempts"], 0);

  auto metrics = run.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  auto m = ParsePrometheus(metrics->body, "boletos_");
  ASSERT_EQ(m.error, "") << metrics->body;
  EXPECT_EQ(m.Value("boletos_clients", {{"period", "2026-12"}, {"status", "done"}}), 2);
  EXPECT_EQ(m.Value("boletos_clients", {{"period", "2026-12"}, {"status", "pending"}}), 3);
  EXPECT_EQ(m.types["boletos_downloads_total"], "counter");
  EXPECT_EQ(m.Value("boletos_downloads_total", {{"result", "done"}}), 2);
  EXPECT_EQ(m.Value("boletos_downloads_total", {{"result", "failed"}}), 0);
  EXPECT_EQ(m.Value("boletos_attempts_total"), 2);
  EXPECT_EQ(m.Value("boletos_downloaded_bytes_total"), 2000);
  EXPECT_EQ(m.Value("boletos_browser_pss_bytes"), 120.0 * 1024 * 1024);
  EXPECT_EQ(m.Value("boletos_worker_rss_bytes"), (20.0 * 1024 + 2) * 1024);
  EXPECT_EQ(m.Value("boletos_run_state", {{"state", "running"}}), 1);
  EXPECT_EQ(m.Value("boletos_run_state", {{"state", "waiting"}}), 0);
  EXPECT_EQ(m.Value("boletos_run_clients", {{"kind", "started"}}), 3);
  EXPECT_EQ(m.Value("boletos_run_clients", {{"kind", "planned"}}), 5);
  EXPECT_EQ(m.Value("boletos_healthy"), 1);
  EXPECT_TRUE(std::isnan(m.Value("boletos_cgroup_memory_usage_bytes")));  // unknown: no sample
  EXPECT_GT(m.Value("boletos_run_duration_seconds"), 0);
  for (const char* name : {"boletos_browser_restarts_total", "boletos_browser_recycles_total",
                           "boletos_hung_browsers_replaced_total",
                           "boletos_failures_total", "boletos_cgroup_memory_limit_bytes"}) {
    EXPECT_TRUE(m.types.count(name)) << name;
  }

  auto page = run.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<p id=\"progress\">3/5 clients started: 2 done"), std::string::npos);
  EXPECT_NE(page->body.find("<b id=\"current-client\">c3</b>"), std::string::npos);
  std::smatch points;
  ASSERT_TRUE(std::regex_search(page->body, points, std::regex("id=\"browser-pss\"[^>]*points=\"([^\"]*)\"")));
  EXPECT_EQ(std::count(points[1].first, points[1].second, ',') , 2) << "one point per stored sample";
  EXPECT_EQ(page->body.find("<script"), std::string::npos);
  EXPECT_EQ(page->body.find("src=\"http"), std::string::npos);

  // The client in flight does not finish: past the limit, /healthz says stuck.
  std::this_thread::sleep_until(t_in_flight + kStuckAfter + std::chrono::milliseconds(300));
  auto stuck = run.Get("/healthz");
  ASSERT_TRUE(stuck);
  EXPECT_EQ(stuck->status, 503);
  EXPECT_NE(stuck->body.find("no client finished for"), std::string::npos) << stuck->body;
  EXPECT_NE(stuck->body.find("client in flight: c3"), std::string::npos) << stuck->body;
  auto m2 = ParsePrometheus(run.Get("/metrics")->body, "boletos_");
  EXPECT_EQ(m2.Value("boletos_healthy"), 0);

  // It finishes: healthy again, and the run's end stays visible.
  run.worker.Release(100);
  run.loop.join();
  auto after = Json::parse(run.Get("/status")->body);
  EXPECT_EQ(after["counts"]["done"], 5);
  EXPECT_EQ(after["live"]["run"]["active"], false);
  EXPECT_EQ(after["live"]["run"]["progress"], "5/5");
  run.live.Waiting(std::chrono::steady_clock::now() + std::chrono::hours(1));
  auto waiting = run.Get("/healthz");
  EXPECT_EQ(waiting->status, 200);
  EXPECT_NE(waiting->body.find("waiting"), std::string::npos) << waiting->body;
  auto m3 = ParsePrometheus(run.Get("/metrics")->body, "boletos_");
  ASSERT_EQ(m3.error, "");
  EXPECT_EQ(m3.Value("boletos_run_state", {{"state", "waiting"}}), 1);
  EXPECT_EQ(m3.Value("boletos_downloads_total", {{"result", "done"}}), 5);
}
