// The status port's HTTP server: routes, errors, binding, shutdown.

#include "ops/status_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <stdexcept>

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
