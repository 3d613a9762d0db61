// fake_browser MODE [chromium's flags...]: stands in for Chromium behind
// `boletos run --chromium` (through a one-line wrapper script that passes
// MODE). Like Chromium it prints "DevTools listening on ws://..." on stderr,
// then it misbehaves the way MODE says; it never exits on its own before
// boletos kills it (its process group), except in `dies`.
//
//   refused     the URL names a port where nothing listens
//   error-number every command gets an error whose "message" is a number
//   garbage     every command gets text that is not JSON, events of the
//               wrong shapes, then a reply whose "result" is a number
//   silent      slow to start (the DevTools line comes after 10 s), then
//               never answers
//   dies        answers the first command, exits at the second
//   bad-target  answers start-up, then Target.createTarget with a number
//               for "targetId" (and events of the wrong shapes)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>

#include "fake_cdp_server.h"

using boletos::test_support::FakeCdpServer;
using nlohmann::json;

namespace {

// A port that was free a moment ago: bound, read, closed.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::perror("fake_browser: socket");
    _exit(70);
  }
  close(fd);
  return ntohs(addr.sin_port);
}

void Announce(const std::string& url) {
  std::fprintf(stderr, "[0101/000000.000000:ERROR:bus.cc(407)] Failed to connect to the bus (noise first)\n");
  std::fprintf(stderr, "\nDevTools listening on %s\n", url.c_str());
  std::fflush(stderr);
}

void SendWrongShapedEvents(FakeCdpServer& s) {
  s.SendText("{not json");
  s.SendText("[1,2,3]");
  s.SendText(R"({"method":"Target.detachedFromTarget","params":7})");
  s.SendText(R"({"method":"Target.detachedFromTarget","params":{"sessionId":3}})");
  s.SendText(R"({"method":"Target.targetCreated","params":{"targetInfo":5}})");
  s.SendText(R"({"method":"Page.loadEventFired","sessionId":12,"params":{}})");
  s.SendText(R"({"method":5,"params":{}})");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fake_browser MODE [flags...]\n");
    return 64;
  }
  const std::string mode = argv[1];
  alarm(300);  // a safety net only: boletos kills it long before
  if (mode == "refused") {
    Announce("ws://127.0.0.1:" + std::to_string(FreePort()) + "/devtools/browser/fake");
    while (true) pause();
  }
  std::atomic<int> commands{0};
  FakeCdpServer server([&](FakeCdpServer& s, const json& cmd) {
    const json id = cmd.value("id", json());
    const std::string method = cmd.value("method", "");
    int n = ++commands;
    if (mode == "error-number") {
      s.Send({{"id", id}, {"error", {{"code", -32000}, {"message", 1}}}});
    } else if (mode == "garbage") {
      SendWrongShapedEvents(s);
      s.Send({{"id", id}, {"result", 42}});
    } else if (mode == "silent") {
      // never answers
    } else if (mode == "dies") {
      if (n >= 2) _exit(1);
      s.Send({{"id", id}, {"result", {{"product", "FakeChrome/1.0"}}}});
    } else if (mode == "bad-target") {
      SendWrongShapedEvents(s);
      if (method == "Browser.getVersion") {
        s.Send({{"id", id}, {"result", {{"product", "FakeChrome/1.0"}}}});
      } else if (method == "Target.createTarget") {
        s.Send({{"id", id}, {"result", {{"targetId", 5}}}});
      } else {
        s.Send({{"id", id}, {"result", json::object()}});
      }
    }
  });
  if (mode == "silent") sleep(10);  // half the start timeout, spent before the DevTools line
  Announce(server.url());
  while (true) pause();
}
