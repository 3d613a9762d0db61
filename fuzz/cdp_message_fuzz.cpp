// Fuzzes CdpConnection's message handling: whatever the browser sends
// (replies to pending and unknown ids, events for any session, malformed
// JSON), routing must not crash, and a pending call must still end exactly
// once - here by its deadline or by a reply the input happens to contain.
// Input: messages separated by newlines.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cdp/cdp_connection.h"

namespace {

// A transport whose "wire" is the fuzz input, delivered on its own thread
// like a real I/O thread would, once the first command is sent (so replies
// can meet a pending call); the script's end closes the connection.
class ScriptedTransport : public boletos::cdp::Transport {
 public:
  explicit ScriptedTransport(std::string script) : script_(std::move(script)) {}
  ~ScriptedTransport() override { Close(); }
  void Start(MessageFn on_message, CloseFn on_close) override {
    on_message_ = std::move(on_message);
    on_close_ = std::move(on_close);
  }
  void Send(std::string) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_) return;
    started_ = true;
    io_ = std::thread([this, on_message = on_message_, on_close = on_close_] {
      size_t start = 0;
      while (start <= script_.size()) {
        size_t end = script_.find('\n', start);
        if (end == std::string::npos) end = script_.size();
        on_message(script_.substr(start, end - start));
        start = end + 1;
      }
      on_close("the script ended");
    });
  }
  void Close() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!started_) {
        started_ = true;
        if (on_close_) on_close_("closed before any command");
        return;
      }
    }
    if (io_.joinable()) io_.join();
  }

 private:
  std::string script_;
  MessageFn on_message_;
  CloseFn on_close_;
  std::mutex mu_;
  bool started_ = false;
  std::thread io_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string script(reinterpret_cast<const char*>(data), size);
  auto conn = boletos::cdp::CdpConnection::Create(std::make_unique<ScriptedTransport>(script));
  int events = 0;
  auto all = conn->Subscribe("", boletos::cdp::kAnySession, [&](const boletos::cdp::CdpEvent&) { ++events; });
  auto one = conn->Subscribe("Page.loadEventFired", "S1", [&](const boletos::cdp::CdpEvent& e) {
    if (e.session_id != "S1") std::abort();  // routed to the wrong session
  });
  int closes = 0;
  auto closed = conn->OnClose([&](const std::string&) { ++closes; });
  auto reply = conn->Call("Runtime.evaluate", {{"expression", "1"}}, "S1",
                          boletos::Deadline::In(std::chrono::seconds(5)));
  if (reply.ok() == false && reply.message().empty()) std::abort();  // an error must say what happened
  conn->Close();
  if (closes != 1) std::abort();  // the close is announced exactly once
  (void)events;
  return 0;
}
