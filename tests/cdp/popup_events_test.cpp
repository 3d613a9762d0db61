// Page::Download against a fake browser that plays a popup's events in the
// orders a real one produces by chance: the popup's document committed
// before we listened, its load event then came (or never did). A real
// browser shows these only now and then; here each order is built.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "cdp/page.h"
#include "fake_cdp_server.h"

using namespace boletos;
using namespace boletos::cdp;
using boletos::test_support::FakeCdpServer;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPdf = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

// Plays a tab (session "tab") whose navigation opens a popup ("pop") that
// shows an HTML slip. The popup's document is still loading when it is
// first asked, and complete from then on; the load event comes right after
// Page.enable's reply (send_load) or never.
class PopupBrowser {
 public:
  explicit PopupBrowser(bool send_load)
      : server_([this, send_load](FakeCdpServer& s, const json& cmd) { Answer(s, cmd, send_load); }) {}

  std::string url() const { return server_.url(); }
  bool printed() {
    std::lock_guard<std::mutex> lock(mu_);
    return printed_;
  }

 private:
  void Answer(FakeCdpServer& s, const json& cmd, bool send_load) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::string method = cmd.value("method", "");
    const std::string session = cmd.value("sessionId", "");
    json result = json::object();
    bool load_after = false;
    if (method == "Page.navigate") {
      result = {{"frameId", "tab-target"}, {"loaderId", "L1"}};
    } else if (method == "Target.attachToTarget") {
      result = {{"sessionId", "pop"}};
    } else if (method == "Page.enable" && session == "pop") {
      load_after = send_load;
    } else if (method == "Runtime.evaluate" && session == "pop") {
      std::string ready = asked_++ == 0 ? "interactive" : "complete";
      result = {{"result",
                 {{"type", "object"},
                  {"value",
                   {{"url", "http://portal.test/slip.html"},
                    {"contentType", "text/html"},
                    {"readyState", ready},
                    {"status", 200}}}}}};
    } else if (method == "Page.printToPDF") {
      printed_ = true;
      result = {{"stream", "h1"}};
    } else if (method == "IO.read") {
      result = {{"data", kPdf}, {"base64Encoded", false}, {"eof", true}};
    }
    s.Send({{"id", cmd["id"]}, {"result", result}});
    if (method == "Page.navigate") {
      s.Send({{"method", "Target.targetCreated"},
              {"params", {{"targetInfo", {{"targetId", "pop-target"}, {"type", "page"}, {"openerId", "tab-target"},
                                          {"url", "http://portal.test/slip.html"}}}}}});
    }
    if (load_after) s.Send({{"method", "Page.loadEventFired"}, {"sessionId", "pop"}, {"params", {{"timestamp", 1}}}});
  }

  std::mutex mu_;
  int asked_ = 0;
  bool printed_ = false;
  FakeCdpServer server_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void ExpectThePopupIsPrinted(bool send_load) {
  PopupBrowser browser(send_load);
  auto transport = ConnectWebSocket(browser.url(), Deadline::In(std::chrono::seconds(5)));
  ASSERT_TRUE(transport.ok()) << transport.message();
  auto conn = CdpConnection::Create(std::move(*transport));
  fs::path dir = fs::temp_directory_path() / ("boletos-popup-events-" + std::to_string(getpid()));
  fs::create_directories(dir);
  {
    Page page(conn, "tab-target", "tab", dir.string());
    std::string dest = (dir / "slip.pdf").string();
    // With a load event, a budget under the first poll (250 ms): only the
    // load event can have made it (the fake answers within milliseconds).
    auto budget = send_load ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
    auto r = page.Download(DownloadAction::Open("http://portal.test/list"), dest, /*print_html=*/true,
                           Deadline::In(budget));
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_EQ(r->kind, DownloadResult::Kind::kPrintedHtml);
    EXPECT_EQ(r->source_url, "http://portal.test/slip.html");
    EXPECT_TRUE(browser.printed());
    EXPECT_EQ(ReadAll(dest), kPdf);
  }
  fs::remove_all(dir);
}

TEST(PopupEvents, APopupThatCommittedBeforeWeListenedIsPrintedWhenItsLoadEventComes) {
  ExpectThePopupIsPrinted(/*send_load=*/true);
}

TEST(PopupEvents, APopupWhoseLoadEventNeverComesIsStillSeenOnceItHasLoaded) {
  ExpectThePopupIsPrinted(/*send_load=*/false);
}

}  // namespace
