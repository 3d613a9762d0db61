// SPEC "Flow file", block: resource types and URL patterns the browser never
// fetches during the steps before the download; the download step fetches
// everything, so a printed HTML slip keeps its images. On a real headless
// shell; the test site counts the requests for its image.

#include <gtest/gtest.h>

#include "browser_fixture.h"
#include "flow/flow_parser.h"
#include "flow/flow_runner.h"

using namespace boletos;
using test_support::BrowserTest;
using test_support::Secs;
namespace fs = std::filesystem;

namespace {

// True once the page's image failed to load (blocked), false once it loaded.
const char* kImageBlocked =
    "new Promise(r => { const i = document.getElementById('logo');"
    " if (i.complete) return r(i.naturalWidth === 0);"
    " i.onload = () => r(false); i.onerror = () => r(true); })";

class Block : public BrowserTest {
 protected:
  Result<flow::ClientOutcome> Play(const std::string& block_line) {
    const std::string text = block_line +
                             "client:\n"
                             "  - goto: \"" + site_.url("/blocky") + "\"\n"
                             "  - eval: \"(" + std::string(kImageBlocked) + ").then(blocked => blocked === " +
                             (block_line.empty() ? "false" : "true") + ")\"\n"
                             "  - download: { click: \"#slip\", html: print }\n";
    auto flow = flow::ParseFlow(text, "block.yaml", {});
    EXPECT_TRUE(flow.ok()) << flow.message();
    if (!flow.ok()) return flow.error();
    flow_ = *flow;
    flow::FlowRunner runner(flow_, Period{2026, 12}, [](const std::string&) { return std::nullopt; });
    return runner.RunClient(*page_, {{"id", "c1"}, {"name", "Ana"}}, Out("c1.pdf"));
  }
  int PixelHits() { return site_.Count("/pixel.png/hits"); }
  flow::Flow flow_;
};

TEST_F(Block, ImagesAreNotFetchedBeforeTheDownloadButTheSlipHasItsOwn) {
  auto r = Play("block: [image]\n");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(PixelHits(), 1) << "only the slip's image reached the portal";
  EXPECT_TRUE(fs::exists(Out("c1.pdf")));
}

TEST_F(Block, AUrlPatternBlocksWhatItMatches) {
  auto r = Play("block: [\"*/pixel.png?page\"]\n");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(PixelHits(), 1);
}

TEST_F(Block, WithoutABlockListEverythingIsFetched) {
  auto r = Play("");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(PixelHits(), 2);
}

}  // namespace
