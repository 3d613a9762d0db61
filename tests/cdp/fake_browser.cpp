// fake_browser MODE [chromium's flags...]: stands in for Chromium where a
// test names the browser (Browser::Launch, `boletos run --chromium` through
// a one-line wrapper script that passes MODE). Like Chromium started with
// --remote-debugging-pipe it reads DevTools commands on fd 3 and writes its
// replies on fd 4, each message ended by a NUL; then it misbehaves the way
// MODE says. It never exits on its own before it is killed (its process
// group), except in `dies` and `exits`.
//
//   closed       closes its end of the pipe at once and stays alive
//   exits        says why on stderr and exits with code 3 at once
//   error-number every command gets an error whose "message" is a number
//   error-object every command gets an error that is not an object
//   garbage      every command gets text that is not JSON, events of the
//                wrong shapes, then a reply whose "result" is a number
//   silent       never answers
//   dies         answers the first command, exits at the second
//   needs-no-sandbox  exits at once ("No usable sandbox!") unless started
//                with --no-sandbox; then answers like a real browser's
//                start-up (and bad-target after it)
//   bad-target   answers start-up, then Target.createTarget with a number
//                for "targetId" and Target.attachToTarget with an array for
//                "sessionId" (and events of the wrong shapes)

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

constexpr int kCommandsIn = 3;
constexpr int kRepliesOut = 4;

void SendText(const std::string& text) {
  std::string framed = text;
  framed.push_back('\0');
  size_t sent = 0;
  while (sent < framed.size()) {
    ssize_t n = write(kRepliesOut, framed.data() + sent, framed.size() - sent);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(0);  // the worker closed its end: it is done with us
    sent += static_cast<size_t>(n);
  }
}

void Send(const json& message) { SendText(message.dump()); }

void SendWrongShapedEvents() {
  SendText("{not json");
  SendText("[1,2,3]");
  SendText(R"({"method":"Target.detachedFromTarget","params":7})");
  SendText(R"({"method":"Target.detachedFromTarget","params":{"sessionId":3}})");
  SendText(R"({"method":"Target.targetCreated","params":{"targetInfo":5}})");
  SendText(R"({"method":"Page.loadEventFired","sessionId":12,"params":{}})");
  SendText(R"({"method":5,"params":{}})");
}

void Answer(const std::string& mode, const json& cmd, int n) {
  const json id = cmd.is_object() && cmd.contains("id") ? cmd["id"] : json();
  const std::string method = cmd.is_object() && cmd.value("method", json()).is_string() ? cmd["method"].get<std::string>() : "";
  if (mode == "error-number") {
    Send({{"id", id}, {"error", {{"code", -32000}, {"message", 1}}}});
  } else if (mode == "error-object") {
    Send({{"id", id}, {"error", 7}});
  } else if (mode == "garbage") {
    SendWrongShapedEvents();
    Send({{"id", id}, {"result", 42}});
  } else if (mode == "dies") {
    if (n >= 2) _exit(1);
    Send({{"id", id}, {"result", {{"product", "FakeChrome/1.0"}}}});
  } else if (mode == "bad-target" || mode == "needs-no-sandbox") {
    SendWrongShapedEvents();
    if (method == "Browser.getVersion") {
      Send({{"id", id}, {"result", {{"product", "FakeChrome/1.0"}}}});
    } else if (method == "Target.createTarget") {
      Send({{"id", id}, {"result", {{"targetId", 5}}}});
    } else if (method == "Target.attachToTarget") {
      Send({{"id", id}, {"result", {{"sessionId", json::array()}}}});
    } else {
      Send({{"id", id}, {"result", json::object()}});
    }
  }
  // silent: never answers
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fake_browser MODE [flags...]\n");
    return 64;
  }
  const std::string mode = argv[1];
  alarm(300);  // a safety net only: the test kills it long before
  std::fprintf(stderr, "[0101/000000.000000:ERROR:bus.cc(407)] Failed to connect to the bus (noise first)\n");
  std::fflush(stderr);
  if (mode == "needs-no-sandbox") {
    bool no_sandbox = false;
    for (int i = 2; i < argc; ++i) no_sandbox = no_sandbox || std::string(argv[i]) == "--no-sandbox";
    if (!no_sandbox) {
      std::fprintf(stderr, "[0101/000000.000000:FATAL:zygote_host_impl_linux.cc(128)] No usable sandbox!\n");
      return 1;
    }
  }
  if (mode == "escapes") {
    // A helper that leaves the browser's process group and keeps its
    // stderr open for a while: the worker's drain of that stderr outlives
    // the browser and must stop when told to.
    if (fork() == 0) {
      setsid();
      sleep(3);
      _exit(0);
    }
  }
  if (mode == "exits") {
    std::fprintf(stderr, "fake_browser: cannot start: no usable display (as asked)\n");
    return 3;
  }
  if (mode == "closed") {
    close(kCommandsIn);
    close(kRepliesOut);
    while (true) pause();
  }
  std::string pending;
  char chunk[4096];
  int commands = 0;
  while (true) {
    ssize_t n = read(kCommandsIn, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the worker closed the pipe
    pending.append(chunk, static_cast<size_t>(n));
    size_t nul;
    while ((nul = pending.find('\0')) != std::string::npos) {
      json cmd = json::parse(pending.substr(0, nul), nullptr, /*allow_exceptions=*/false);
      pending.erase(0, nul + 1);
      Answer(mode, cmd, ++commands);
    }
  }
  while (true) pause();
}
