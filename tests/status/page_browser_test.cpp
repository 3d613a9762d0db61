// The status page as a real headless browser renders it: the memory chart
// is drawn with one point per stored sample, and it shows in a screenshot.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../cdp/process_census.h"
#include "../store/store_test_support.h"
#include "cdp/browser.h"
#include "png_pixels.h"
#include "status/status_service.h"

namespace fs = std::filesystem;
using namespace boletos;
using namespace boletos::status;
using boletos::store::testing::Import;
using boletos::store::testing::OpenStore;
using boletos::store::testing::TempDir;

namespace {

Deadline Secs(int s) { return Deadline::In(std::chrono::seconds(s)); }

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(StatusPage, TheBrowserDrawsTheMemoryChartOfTheLastRun) {
  TempDir dir;
  auto db = OpenStore(dir);
  Import(*db, {"c1"});
  auto run = db->BeginRun("2026-12", getpid(), "test");
  ASSERT_TRUE(run.ok());
  constexpr int kSamples = 7;
  for (int i = 0; i < kSamples; ++i) {
    store::MemorySample s;
    s.run_id = *run;
    s.clients_done = 5 * (i + 1);
    s.worker_rss_kb = (18 + i) * 1024;
    s.browser_pss_kb = (150 + 15 * i) * 1024;
    ASSERT_TRUE(db->RecordMemorySample(s).ok());
  }
  ASSERT_TRUE(db->EndRun(*run, store::RunOutcome::kFinished, "run finished normally").ok());
  LiveStatus live(512);
  live.CycleStarting("2026-12");
  auto service = StatusService::Start(*db, live, StatusServiceOptions{});
  ASSERT_TRUE(service.ok()) << service.message();

  fs::create_directories(dir.File("browsers"));
  cdp::LaunchOptions options;
  options.temp_root = dir.File("browsers");
  auto browser = cdp::Browser::Launch(options);
  ASSERT_TRUE(browser.ok()) << browser.message();
  pid_t pgid = (*browser)->pid();
  {
    auto page = (*browser)->NewPage(Secs(10));
    ASSERT_TRUE(page.ok()) << page.message();
    ASSERT_TRUE((*page)->Navigate((*service)->url() + "/", Secs(10)).ok());
    auto drawn = (*page)->Evaluate(R"(
      (() => {
        const line = document.querySelector('#browser-pss');
        const box = line.getBBox();
        const chart = document.querySelector('#memory-chart').getBoundingClientRect();
        return {points: line.points.numberOfItems, width: box.width, height: box.height,
                dots: document.querySelectorAll('#memory-chart circle').length,
                chart_width: chart.width, chart_height: chart.height,
                limit: !!document.querySelector('#memory-limit')};
      })())",
                                   Secs(5));
    ASSERT_TRUE(drawn.ok()) << drawn.message();
    EXPECT_EQ((*drawn)["points"], kSamples);
    EXPECT_EQ((*drawn)["dots"], 2 * kSamples);  // worker RSS and browser PSS; no cgroup figures here
    EXPECT_GT((*drawn)["width"].get<double>(), 400);
    EXPECT_GT((*drawn)["height"].get<double>(), 10);  // PSS grew, so the line climbs
    EXPECT_GT((*drawn)["chart_width"].get<double>(), 0);
    EXPECT_EQ((*drawn)["limit"], true);

    std::string shot = dir.File("status.png");
    ASSERT_TRUE((*page)->Screenshot(shot, Secs(10)).ok());
    test_support::Pixels px = test_support::DecodePng(ReadAll(shot));
    ASSERT_EQ(px.error, "");
    EXPECT_GT(px.width, 600);
    EXPECT_GT(px.height, 300);
    // The browser PSS series is drawn in #d62728: its line and dots are on screen.
    EXPECT_GT(test_support::CountColour(px, 0xd6, 0x27, 0x28, 12), 100);
    EXPECT_GT(test_support::CountColour(px, 0x1f, 0x77, 0xb4, 12), 100);  // worker RSS
  }
  browser->reset();
  EXPECT_EQ(test_support::ProcessesInGroup(pgid), 0) << "a browser process outlived its Browser";
}
