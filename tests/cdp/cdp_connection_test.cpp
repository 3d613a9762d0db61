// CdpConnection against a fake CDP server: the protocol edge cases.

#include "cdp/cdp_connection.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include "cdp/event_waiter.h"
#include "fake_cdp_server.h"

using namespace boletos;
using namespace boletos::cdp;
using boletos::test_support::FakeCdpServer;
using nlohmann::json;

namespace {

std::shared_ptr<CdpConnection> Connect(FakeCdpServer& server) {
  auto transport = ConnectWebSocket(server.url(), Deadline::In(std::chrono::seconds(5)));
  EXPECT_TRUE(transport.ok()) << transport.message();
  return CdpConnection::Create(std::move(*transport));
}

Deadline Secs(int s) { return Deadline::In(std::chrono::seconds(s)); }

TEST(CdpConnection, MatchesRepliesThatArriveOutOfOrder) {
  // Holds the first command's reply until the second arrives, then answers
  // the second first.
  std::mutex mu;
  std::vector<json> held;
  FakeCdpServer server([&](FakeCdpServer& s, const json& cmd) {
    std::lock_guard<std::mutex> lock(mu);
    held.push_back(cmd);
    if (held.size() == 2) {
      s.Send({{"id", held[1]["id"]}, {"result", {{"who", held[1]["method"]}}}});
      s.Send({{"id", held[0]["id"]}, {"result", {{"who", held[0]["method"]}}}});
    }
  });
  auto conn = Connect(server);
  Result<Json> first = MakeError(ErrorKind::kIo, "unset");
  std::thread a([&] { first = conn->Call("First.method", {}, "", Secs(5)); });
  while (true) {
    std::lock_guard<std::mutex> lock(mu);
    if (!held.empty()) break;
  }
  auto second = conn->Call("Second.method", {}, "", Secs(5));
  a.join();
  ASSERT_TRUE(first.ok()) << first.message();
  ASSERT_TRUE(second.ok()) << second.message();
  EXPECT_EQ((*first)["who"], "First.method");
  EXPECT_EQ((*second)["who"], "Second.method");
}

TEST(CdpConnection, ACommandWithNoReplyTimesOutNamingTheMethod) {
  FakeCdpServer server([](FakeCdpServer&, const json&) {});
  auto conn = Connect(server);
  auto started = std::chrono::steady_clock::now();
  auto r = conn->Call("Page.navigate", {{"url", "x"}}, "", Deadline::In(std::chrono::milliseconds(200)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kTimeout);
  EXPECT_NE(r.message().find("Page.navigate"), std::string::npos);
  EXPECT_NE(r.message().find("200ms"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  // A late reply for the abandoned id is dropped, and the next call works.
}

TEST(CdpConnection, ALateReplyAfterATimeoutIsIgnored) {
  std::atomic<int> calls{0};
  FakeCdpServer server([&](FakeCdpServer& s, const json& cmd) {
    if (calls++ == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // answer too late
    }
    s.Send({{"id", cmd["id"]}, {"result", {{"n", calls.load()}}}});
  });
  auto conn = Connect(server);
  auto late = conn->Call("Slow.method", {}, "", Deadline::In(std::chrono::milliseconds(100)));
  EXPECT_EQ(late.kind(), ErrorKind::kTimeout);
  auto next = conn->Call("Fast.method", {}, "", Secs(5));
  ASSERT_TRUE(next.ok()) << next.message();
  EXPECT_EQ((*next)["n"], 2);
}

TEST(CdpConnection, ServerDyingMidCommandFailsEveryPendingCallAtOnce) {
  std::atomic<int> received{0};
  FakeCdpServer server([&](FakeCdpServer& s, const json&) {
    if (++received == 3) s.Kill();
  });
  auto conn = Connect(server);
  std::vector<std::thread> callers;
  std::vector<Result<Json>> results(3, MakeError(ErrorKind::kIo, "unset"));
  auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    callers.emplace_back([&, i] { results[i] = conn->Call("Hang.method" + std::to_string(i), {}, "", Secs(30)); });
  }
  for (auto& t : callers) t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  for (auto& r : results) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.kind(), ErrorKind::kConnectionClosed) << r.message();
    EXPECT_NE(r.message().find("while waiting for Hang.method"), std::string::npos) << r.message();
  }
  EXPECT_TRUE(conn->closed());
  auto after = conn->Call("Any.method", {}, "", Secs(1));
  EXPECT_EQ(after.kind(), ErrorKind::kConnectionClosed);
}

TEST(CdpConnection, MalformedMessagesAreCountedAndDoNotBreakTheConnection) {
  FakeCdpServer server([](FakeCdpServer& s, const json& cmd) {
    s.SendText("{not json");
    s.SendText("[1,2,3]");
    s.SendText(R"({"id": "seven", "result": {}})");
    s.SendText(R"({"params": {}})");
    s.Send({{"id", cmd["id"]}, {"result", {{"fine", true}}}});
  });
  auto conn = Connect(server);
  auto r = conn->Call("Any.method", {}, "", Secs(5));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ((*r)["fine"], true);
  EXPECT_EQ(conn->malformed_messages(), 4);
}

TEST(CdpConnection, ProtocolErrorsKeepTheBrowsersMessage) {
  FakeCdpServer server([](FakeCdpServer& s, const json& cmd) {
    s.Send({{"id", cmd["id"]}, {"error", {{"code", -32000}, {"message", "No node with given id found"}}}});
  });
  auto conn = Connect(server);
  auto r = conn->Call("DOM.focus", {}, "", Secs(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kProtocolError);
  EXPECT_EQ(r.message(), "DOM.focus failed: No node with given id found");
}

TEST(CdpConnection, EventsForTwoSessionsReachTheirOwnSubscribers) {
  FakeCdpServer server([](FakeCdpServer& s, const json& cmd) {
    s.Send({{"method", "Page.loadEventFired"}, {"sessionId", "A"}, {"params", {{"n", 1}}}});
    s.Send({{"method", "Page.loadEventFired"}, {"sessionId", "B"}, {"params", {{"n", 2}}}});
    s.Send({{"method", "Browser.downloadWillBegin"}, {"params", {{"n", 3}}}});
    s.Send({{"id", cmd["id"]}, {"result", json::object()}});
  });
  auto conn = Connect(server);
  std::mutex mu;
  std::vector<int> a, b, browser, any;
  auto sa = conn->Subscribe("Page.loadEventFired", "A", [&](const CdpEvent& e) {
    std::lock_guard<std::mutex> l(mu);
    a.push_back(e.params["n"]);
  });
  auto sb = conn->Subscribe("Page.loadEventFired", "B", [&](const CdpEvent& e) {
    std::lock_guard<std::mutex> l(mu);
    b.push_back(e.params["n"]);
  });
  auto sbrowser = conn->Subscribe("", "", [&](const CdpEvent& e) {
    std::lock_guard<std::mutex> l(mu);
    browser.push_back(e.params["n"]);
  });
  auto sany = conn->Subscribe("", kAnySession, [&](const CdpEvent& e) {
    std::lock_guard<std::mutex> l(mu);
    any.push_back(e.params["n"]);
  });
  ASSERT_TRUE(conn->Call("Trigger.events", {}, "", Secs(5)).ok());  // events precede the reply
  std::lock_guard<std::mutex> l(mu);
  EXPECT_EQ(a, std::vector<int>{1});
  EXPECT_EQ(b, std::vector<int>{2});
  EXPECT_EQ(browser, std::vector<int>{3});
  EXPECT_EQ(any, (std::vector<int>{1, 2, 3}));
}

TEST(CdpConnection, ADroppedSubscriptionIsNeverCalledAgain) {
  FakeCdpServer server([](FakeCdpServer& s, const json& cmd) {
    s.Send({{"method", "X.event"}, {"params", json::object()}});
    s.Send({{"id", cmd["id"]}, {"result", json::object()}});
  });
  auto conn = Connect(server);
  std::atomic<int> calls{0};
  {
    auto sub = conn->Subscribe("X.event", kAnySession, [&](const CdpEvent&) { ++calls; });
    ASSERT_TRUE(conn->Call("One", {}, "", Secs(5)).ok());
  }
  ASSERT_TRUE(conn->Call("Two", {}, "", Secs(5)).ok());
  EXPECT_EQ(calls.load(), 1);
}

TEST(CdpConnection, SessionCommandsCarryTheirSessionId) {
  FakeCdpServer server([](FakeCdpServer& s, const json& cmd) {
    s.Send({{"id", cmd["id"]}, {"result", {{"session", cmd.value("sessionId", "")}}}});
  });
  auto conn = Connect(server);
  EXPECT_EQ((*conn->Call("A", {}, "S1", Secs(5)))["session"], "S1");
  EXPECT_EQ((*conn->Call("B", {}, "", Secs(5)))["session"], "");
}

// ---- A hostile browser: every message is untrusted input ----

// A server that answers every command with the reply reply_for(id) builds,
// after sending the texts in before (events, garbage).
FakeCdpServer::CommandFn Answer(std::vector<std::string> before, std::function<json(const json& id)> reply_for) {
  return [before = std::move(before), reply_for = std::move(reply_for)](FakeCdpServer& s, const json& cmd) {
    for (const auto& text : before) s.SendText(text);
    s.Send(reply_for(cmd["id"]));
  };
}

TEST(CdpConnection, AnErrorWhoseMessageIsANumberFailsTheCallAsAProtocolError) {
  // The fuzzer's {"id":99,"error":{"code":-32000,"message":"x"}} with id 1 and message 1.
  FakeCdpServer server(Answer({}, [](const json& id) {
    return json{{"id", id}, {"error", {{"code", -32000}, {"message", 1}, {"data", 5}}}};
  }));
  auto conn = Connect(server);
  auto r = conn->Call("Browser.getVersion", {}, "", Secs(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kProtocolError);
  EXPECT_EQ(r.message(), "Browser.getVersion failed: 1");
  EXPECT_EQ(conn->malformed_messages(), 1);
  EXPECT_FALSE(conn->closed());
}

TEST(CdpConnection, AnErrorThatIsNotAnObjectFailsTheCallWithWhatItSaid) {
  FakeCdpServer server(Answer({}, [](const json& id) { return json{{"id", id}, {"error", "boom"}}; }));
  auto conn = Connect(server);
  auto r = conn->Call("DOM.focus", {}, "", Secs(5));
  EXPECT_EQ(r.kind(), ErrorKind::kProtocolError);
  EXPECT_EQ(r.message(), "DOM.focus failed: \"boom\"");
  EXPECT_EQ(conn->malformed_messages(), 1);
}

TEST(CdpConnection, AResultThatIsNotAnObjectIsRefusedAsMalformed) {
  for (const json& result : {json(42), json("x"), json::array({1}), json(nullptr), json(true)}) {
    FakeCdpServer server(Answer({}, [result](const json& id) { return json{{"id", id}, {"result", result}}; }));
    auto conn = Connect(server);
    auto r = conn->Call("Browser.getVersion", {}, "", Secs(5));
    ASSERT_FALSE(r.ok()) << result.dump();
    EXPECT_EQ(r.kind(), ErrorKind::kProtocolError) << result.dump();
    EXPECT_NE(r.message().find("Browser.getVersion"), std::string::npos) << r.message();
    EXPECT_NE(r.message().find("malformed reply"), std::string::npos) << r.message();
    EXPECT_EQ(conn->malformed_messages(), 1) << result.dump();
  }
}

TEST(CdpConnection, AReplyWithNoResultIsAnEmptyObject) {
  FakeCdpServer server(Answer({}, [](const json& id) { return json{{"id", id}}; }));
  auto conn = Connect(server);
  auto r = conn->Call("Page.enable", {}, "", Secs(5));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(*r, json::object());
  EXPECT_EQ(conn->malformed_messages(), 0);
}

TEST(CdpConnection, EventsOfTheWrongShapeAreCountedAndNotDelivered) {
  FakeCdpServer server(Answer(
      {
          R"({"method":"X.event","params":7})",
          R"({"method":"X.event","params":"text"})",
          R"({"method":"X.event","sessionId":12,"params":{}})",
          R"({"method":5,"params":{}})",
          R"({"method":"X.event"})",  // no params: an empty object, delivered
      },
      [](const json& id) { return json{{"id", id}, {"result", json::object()}}; }));
  auto conn = Connect(server);
  std::atomic<int> delivered{0};
  auto sub = conn->Subscribe("X.event", kAnySession, [&](const CdpEvent& e) {
    EXPECT_TRUE(e.params.is_object());
    ++delivered;
  });
  ASSERT_TRUE(conn->Call("Trigger.events", {}, "", Secs(5)).ok());  // events precede the reply
  EXPECT_EQ(delivered.load(), 1);
  EXPECT_EQ(conn->malformed_messages(), 4);
}

TEST(CdpConnection, AHandlerThatThrowsIsCountedAndTheConnectionGoesOn) {
  // A subscriber in another file that still reads a field with value(): a
  // number where it expects a string throws type_error.302 on the I/O thread.
  FakeCdpServer server(Answer({R"({"method":"Target.detachedFromTarget","params":{"sessionId":3}})",
                               R"({"method":"Target.detachedFromTarget","params":{"sessionId":"S1"}})"},
                              [](const json& id) { return json{{"id", id}, {"result", json::object()}}; }));
  auto conn = Connect(server);
  std::vector<std::string> seen;
  auto sub = conn->Subscribe("Target.detachedFromTarget", kAnySession,
                             [&](const CdpEvent& e) { seen.push_back(e.params.value("sessionId", "")); });
  ASSERT_TRUE(conn->Call("One", {}, "", Secs(5)).ok());
  ASSERT_TRUE(conn->Call("Two", {}, "", Secs(5)).ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"S1", "S1"}));
  EXPECT_EQ(conn->malformed_messages(), 2);  // one throw per round
  EXPECT_FALSE(conn->closed());
}

TEST(EventWaiter, ADetachEventOfTheWrongShapeIsIgnoredAndARealOneEndsTheWait) {
  FakeCdpServer server([](FakeCdpServer& s, const json& cmd) {
    if (cmd["method"] == "Go") {
      s.SendText(R"({"method":"Target.detachedFromTarget","params":7})");
      s.SendText(R"({"method":"Target.detachedFromTarget","params":{"sessionId":3}})");
      s.SendText(R"({"method":"Page.loadEventFired","sessionId":"S1","params":{"timestamp":"soon"}})");
    } else {
      s.SendText(R"({"method":"Target.detachedFromTarget","params":{"sessionId":"S1"}})");
    }
    s.Send({{"id", cmd["id"]}, {"result", json::object()}});
  });
  auto conn = Connect(server);
  EventWaiter waiter(*conn, "S1", {"Page.loadEventFired"});
  ASSERT_TRUE(conn->Call("Go", {}, "", Secs(5)).ok());
  auto loaded = waiter.Wait([](const CdpEvent&) { return true; }, Secs(5), "the load event");
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_EQ(conn->malformed_messages(), 1);  // params 7; sessionId 3 is simply another session's
  ASSERT_TRUE(conn->Call("Detach", {}, "", Secs(5)).ok());
  auto after = waiter.Wait([](const CdpEvent&) { return true; }, Secs(5), "the load event");
  EXPECT_EQ(after.kind(), ErrorKind::kTargetCrashed) << after.message();
}

}  // namespace
