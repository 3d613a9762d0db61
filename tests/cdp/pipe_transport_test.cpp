// The DevTools pipe transport against a test that plays the browser on the
// other end of a socket pair: NUL-framed messages however the bytes are
// split, a close from either side said once, a send to a browser that is
// gone (no SIGPIPE), and a message without an end that would grow the
// worker without bound.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "cdp/transport.h"

using namespace boletos;
using namespace boletos::cdp;

namespace {

constexpr auto kBound = std::chrono::seconds(10);

// The transport over one end, the test's raw socket at the other; what the
// transport delivered, and its close reasons.
struct Pair {
  int browser_fd = -1;
  std::unique_ptr<Transport> transport;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> messages;
  std::vector<std::string> closes;

  explicit Pair(size_t max_bytes = kMaxDevToolsMessageBytes) {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    browser_fd = fds[1];
    transport = PipeTransportOver(fds[0], max_bytes);
    transport->Start(
        [this](std::string m) {
          std::lock_guard<std::mutex> lock(mu);
          messages.push_back(std::move(m));
          cv.notify_all();
        },
        [this](const std::string& why) {
          std::lock_guard<std::mutex> lock(mu);
          closes.push_back(why);
          cv.notify_all();
        });
  }
  ~Pair() {
    transport->Close();
    if (browser_fd >= 0) close(browser_fd);
  }
  void BrowserWrites(const std::string& bytes) {
    ASSERT_EQ(write(browser_fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  bool WaitMessages(size_t n) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, kBound, [&] { return messages.size() >= n; });
  }
  bool WaitClosed() {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, kBound, [&] { return !closes.empty(); });
  }
  // What the browser read, up to n NUL-ended messages.
  std::vector<std::string> BrowserReads(size_t n) {
    std::vector<std::string> got;
    std::string pending;
    char chunk[256];
    while (got.size() < n) {
      ssize_t r = read(browser_fd, chunk, sizeof chunk);
      if (r <= 0) break;
      pending.append(chunk, static_cast<size_t>(r));
      for (size_t nul; (nul = pending.find('\0')) != std::string::npos;) {
        got.push_back(pending.substr(0, nul));
        pending.erase(0, nul + 1);
      }
    }
    return got;
  }
};

TEST(PipeTransport, DeliversEachNulEndedMessageHoweverTheBytesAreSplit) {
  Pair p;
  // Two in one write, one split over three writes, an empty one.
  p.BrowserWrites(std::string("{\"id\":1}\0{\"id\":2}\0{\"id\"", 23));
  p.BrowserWrites(":");
  p.BrowserWrites(std::string("3}\0\0", 4));
  ASSERT_TRUE(p.WaitMessages(4));
  EXPECT_EQ(p.messages, (std::vector<std::string>{"{\"id\":1}", "{\"id\":2}", "{\"id\":3}", ""}));
  EXPECT_TRUE(p.closes.empty());
}

TEST(PipeTransport, SendsEachMessageEndedByANul) {
  Pair p;
  p.transport->Send("{\"id\":1,\"method\":\"Browser.getVersion\"}");
  p.transport->Send("{\"id\":2}");
  EXPECT_EQ(p.BrowserReads(2), (std::vector<std::string>{"{\"id\":1,\"method\":\"Browser.getVersion\"}", "{\"id\":2}"}));
}

TEST(PipeTransport, ABrowserThatClosesItsEndIsSaidOnceAfterItsLastMessage) {
  Pair p;
  p.BrowserWrites(std::string("{\"last\":true}\0", 14));
  close(p.browser_fd);
  p.browser_fd = -1;
  ASSERT_TRUE(p.WaitClosed());
  p.transport->Close();
  std::lock_guard<std::mutex> lock(p.mu);
  EXPECT_EQ(p.messages, (std::vector<std::string>{"{\"last\":true}"}));
  EXPECT_EQ(p.closes, (std::vector<std::string>{"closed by the browser"}));
}

TEST(PipeTransport, ASendToABrowserThatIsGoneClosesTheTransportWithoutASignal) {
  Pair p;
  close(p.browser_fd);
  p.browser_fd = -1;
  // Without MSG_NOSIGNAL this would be a SIGPIPE, which ends the process.
  for (int i = 0; i < 3; ++i) p.transport->Send(std::string(100000, 'x'));
  ASSERT_TRUE(p.WaitClosed());
  std::lock_guard<std::mutex> lock(p.mu);
  EXPECT_EQ(p.closes.size(), 1u);
}

TEST(PipeTransport, AMessageThatNeverEndsClosesTheTransportAtTheCap) {
  Pair p(/*max_bytes=*/64 * 1024);
  std::string endless(16 * 1024, 'a');
  for (int i = 0; i < 8; ++i) p.BrowserWrites(endless);  // 128 KB, no NUL
  ASSERT_TRUE(p.WaitClosed());
  std::lock_guard<std::mutex> lock(p.mu);
  EXPECT_TRUE(p.messages.empty());
  EXPECT_NE(p.closes.front().find("over 65536 bytes"), std::string::npos) << p.closes.front();
}

TEST(PipeTransport, CloseFromTheWorkerIsSaidOnceAndIsIdempotent) {
  Pair p;
  p.transport->Close();
  p.transport->Close();
  std::lock_guard<std::mutex> lock(p.mu);
  EXPECT_EQ(p.closes, (std::vector<std::string>{"closed by boletos"}));
}

}  // namespace
