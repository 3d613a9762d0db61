// The status port's HTTP server: routes, errors, binding, shutdown.

#include "ops/status_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using boletos::ErrorKind;
using boletos::ops::HttpReply;
using boletos::ops::StatusServer;

TEST(StatusServer, ServesRegisteredPathsOnAnyFreePort) {
  StatusServer server;
  server.Get("/healthz", [] { return HttpReply{503, "text/plain; charset=utf-8", "stuck: because\n"}; });
  server.Get("/", [] { return HttpReply{200, "text/html; charset=utf-8", "<p>home</p>"}; });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  ASSERT_GT(server.port(), 0);
  EXPECT_EQ(server.url(), "http://127.0.0.1:" + std::to_string(server.port()));
  httplib::Client client("127.0.0.1", server.port());
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_EQ(health->body, "stuck: because\n");
  EXPECT_EQ(health->get_header_value("Cache-Control"), "no-store");
  auto home = client.Get("/");
  ASSERT_TRUE(home);
  EXPECT_EQ(home->status, 200);
  EXPECT_EQ(home->get_header_value("Content-Type"), "text/html; charset=utf-8");
  auto missing = client.Get("/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto near_miss = client.Get("/healthzz");  // paths match exactly, not as patterns
  ASSERT_TRUE(near_miss);
  EXPECT_EQ(near_miss->status, 404);
}

TEST(StatusServer, AHandlerThatThrowsAnswers500WithTheReason) {
  StatusServer server;
  server.Get("/status", []() -> HttpReply { throw std::runtime_error("database is gone"); });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/status");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_NE(res->body.find("database is gone"), std::string::npos);
}

TEST(StatusServer, APortInUseIsRefusedWithAMessageNamingTheFlag) {
  StatusServer first;
  ASSERT_TRUE(first.Start("127.0.0.1", 0).ok());
  StatusServer second;
  auto s = second.Start("127.0.0.1", first.port());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kBadInput);
  EXPECT_NE(s.message().find("--status-port"), std::string::npos) << s.message();
  EXPECT_FALSE(StatusServer().Start("127.0.0.1", 70000).ok());
}

TEST(StatusServer, StopsRightAfterStartAndFreesThePort) {
  int port = 0;
  {
    StatusServer server;
    ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
    port = server.port();
    server.Stop();
    server.Stop();  // idempotent
  }
  StatusServer again;  // the port is free again
  EXPECT_TRUE(again.Start("127.0.0.1", port).ok());
}

TEST(StatusServer, OnlyGetIsServedAndAQueryDoesNotChangeThePage) {
  StatusServer server;
  server.Get("/status", [] { return HttpReply{200, "application/json", "{}"}; });
  ASSERT_TRUE(server.Start("127.0.0.1", 0).ok());
  httplib::Client client("127.0.0.1", server.port());
  auto with_query = client.Get("/status?t=123");
  ASSERT_TRUE(with_query);
  EXPECT_EQ(with_query->status, 200);
  EXPECT_EQ(with_query->body, "{}");
  auto post = client.Post("/status", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
}

TEST(StatusServer, AnAddressThatIsNotAnIpIsRefusedNamingTheFlag) {
  StatusServer server;
  auto s = server.Start("not-an-address", 0);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--status-bind"), std::string::npos) << s.message();
}

namespace {

// A server with one public and one personal route on address.
struct GuardedServer {
  StatusServer server;
  explicit GuardedServer(const std::string& address, boletos::ops::ServerAccess access = {}) {
    server.Get("/healthz", [] { return HttpReply{200, "text/plain; charset=utf-8", "ok\n"}; });
    server.Get("/status", [] { return HttpReply{200, "application/json", "{\"name\":\"Ana\"}"}; },
               boletos::ops::RouteAccess::kPersonal);
    server.SetAccess(std::move(access));
    EXPECT_TRUE(server.Start(address, 0).ok());
  }
  int Status(const std::string& path, const httplib::Headers& headers = {}) {
    httplib::Client client("127.0.0.1", server.port());
    auto r = client.Get(path, headers);
    return r ? r->status : -1;
  }
};

}  // namespace

TEST(StatusServerAccess, OnALoopbackBindClientsDataIsServedWithoutAToken) {
  GuardedServer s("127.0.0.1");
  EXPECT_EQ(s.Status("/status"), 200);
  EXPECT_EQ(s.Status("/healthz"), 200);
}

TEST(StatusServerAccess, OnEveryInterfaceClientsDataNeedsAToken) {
  GuardedServer open("0.0.0.0");
  EXPECT_EQ(open.Status("/healthz"), 200) << "no personal data: open on any bind";
  EXPECT_EQ(open.Status("/status"), 401);

  GuardedServer guarded("0.0.0.0", {"s3cret-token", {}});
  EXPECT_EQ(guarded.Status("/status"), 401);
  EXPECT_EQ(guarded.Status("/status", {{"Authorization", "Bearer wrong-token1"}}), 401);
  EXPECT_EQ(guarded.Status("/status", {{"Authorization", "Bearer s3cret-token"}}), 200);
  EXPECT_EQ(guarded.Status("/status?token=s3cret-token"), 200);
  EXPECT_EQ(guarded.Status("/healthz"), 200);
}

TEST(StatusServerAccess, ATokenSetIsNeededOnLoopbackToo) {
  GuardedServer s("127.0.0.1", {"s3cret-token", {}});
  EXPECT_EQ(s.Status("/status"), 401);
  EXPECT_EQ(s.Status("/status", {{"Authorization", "Bearer s3cret-token"}}), 200);
}

// A page a DNS rebinding pointed at 127.0.0.1 still sends its own name.
TEST(StatusServerAccess, AHostThatIsNotThisMachineIsRefused) {
  GuardedServer s("127.0.0.1", {"", {"Status.Internal"}});
  EXPECT_EQ(s.Status("/status", {{"Host", "evil.example:8080"}}), 403);
  EXPECT_EQ(s.Status("/healthz", {{"Host", "evil.example"}}), 403);
  EXPECT_EQ(s.Status("/status", {{"Host", "localhost:1"}}), 200);
  EXPECT_EQ(s.Status("/status", {{"Host", "status.internal"}}), 200) << "an allowed name, any case";
  EXPECT_EQ(s.Status("/status", {{"Host", "[::1]:9"}}), 200);
}

TEST(StatusServerAccess, RequestsAreSmallAndFew) {
  GuardedServer s("127.0.0.1");
  httplib::Headers many;
  for (int i = 0; i < 70; ++i) many.emplace("X-Filler-" + std::to_string(i), "x");
  EXPECT_EQ(s.Status("/healthz", many), 431);
  httplib::Client client("127.0.0.1", s.server.port());
  auto big = client.Post("/healthz", std::string(64 * 1024, 'x'), "text/plain");
  ASSERT_TRUE(big);
  EXPECT_NE(big->status, 200);
}

// A client that sends half a request and waits holds a connection (and its
// buffers) only until the request timeout, not for ever.
TEST(StatusServerAccess, AClientThatNeverFinishesItsRequestIsDroppedAfterTheTimeout) {
  GuardedServer s("127.0.0.1");
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(s.server.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const char half[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";  // no blank line: never complete
  ASSERT_EQ(send(fd, half, sizeof half - 1, 0), static_cast<ssize_t>(sizeof half - 1));
  timeval wait{20, 0};  // well past the 5 s the server allows
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  auto t0 = std::chrono::steady_clock::now();
  char buf[512];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
  }
  auto took = std::chrono::steady_clock::now() - t0;
  close(fd);
  EXPECT_EQ(n, 0) << "the server did not close the connection (recv: " << n << ")";
  EXPECT_LT(took, std::chrono::seconds(15));
  EXPECT_EQ(s.Status("/healthz"), 200) << "the server still answers others";
}

// A flood of connections that send nothing holds at most the server's cap
// of them; the next is answered 503 at once, without waiting for a request,
// and once the held ones are gone the server answers again.
TEST(StatusServerAccess, ConnectionsOverTheCapAreAnswered503AtOnceAndTheServerRecovers) {
  GuardedServer s("127.0.0.1");
  auto open_connection = [&] {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(s.server.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval wait{20, 0};  // a bound only: the server answers or drops well before
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    return fd;
  };
  auto read_all = [](int fd) {
    std::string got;
    char buf[512];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) got.append(buf, static_cast<size_t>(n));
    return std::make_pair(got, n);
  };
  // Accepted in order: by the time the server looks at the extra one, it
  // holds every idle one before it.
  std::vector<int> idle;
  for (int i = 0; i < 32; ++i) idle.push_back(open_connection());
  int extra = open_connection();
  auto t0 = std::chrono::steady_clock::now();
  auto [answer, end] = read_all(extra);
  close(extra);
  EXPECT_EQ(answer.rfind("HTTP/1.1 503", 0), 0u) << answer;
  EXPECT_NE(answer.find("too many open connections"), std::string::npos) << answer;
  EXPECT_EQ(end, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4)) << "not at once: at the request timeout";
  // The held ones are dropped at the request timeout (read here as their
  // end); then there is room again.
  for (int fd : idle) {
    auto [text, n] = read_all(fd);
    EXPECT_EQ(n, 0) << "an idle connection was never dropped";
    close(fd);
  }
  EXPECT_EQ(s.Status("/healthz"), 200);
}
