// Fuzzes CdpConnection's message handling: whatever the browser sends
// (replies to pending and unknown ids, events for any session, malformed
// JSON, fields of the wrong types), routing must not crash, and a pending
// call must still end exactly once - here by its deadline or by a reply the
// input happens to contain. A successful reply is an object and every
// delivered event's params are an object (the edge refuses the rest). The
// messages also reach an EventWaiter (crash/detach watching included) and a
// Page-like subscriber whose reads throw on a wrong type the way value() and
// at() do in page_download.cpp: the connection's handler boundary must
// catch that, count it, and go on. Input: messages separated by newlines.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cdp/cdp_connection.h"
#include "cdp/event_waiter.h"
#include "cdp/json_fields.h"

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

// What page_download.cpp's event handler reads, written the throwing way
// (value() of a string on a number, at() on a missing key, get<> of the
// wrong type): the subscriber boundary in CdpConnection has to hold.
void ReadLikeADownloadHandler(const boletos::cdp::CdpEvent& e) {
  const auto& p = e.params;
  if (e.method == "Browser.downloadWillBegin") {
    (void)p.value("guid", "");
    (void)p.value("suggestedFilename", "");
  } else if (e.method == "Target.targetCreated") {
    const auto& info = p.at("targetInfo");
    (void)info.value("type", "");
    (void)info.at("targetId").get<std::string>();
  } else if (e.method == "Page.frameNavigated") {
    (void)p.at("frame").value("url", "");
  }
}

// The same reads through json_fields.h: never throw, whatever the shape.
void ReadSafely(const boletos::cdp::CdpEvent& e) {
  using namespace boletos::cdp;
  const auto& info = ObjectField(e.params, "targetInfo");
  (void)StringField(info, "targetId");
  (void)StringField(ObjectField(e.params, "frame"), "url");
  (void)BoolField(e.params, "eof");
  (void)IntField(e.params, "status");
  (void)NumberField(e.params, "timestamp");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace boletos::cdp;
  std::string script(reinterpret_cast<const char*>(data), size);
  auto conn = CdpConnection::Create(std::make_unique<ScriptedTransport>(script));
  int events = 0;
  auto all = conn->Subscribe("", kAnySession, [&](const CdpEvent& e) {
    if (!e.params.is_object()) std::abort();  // the edge lets only objects through
    ++events;
    ReadSafely(e);
  });
  auto one = conn->Subscribe("Page.loadEventFired", "S1", [&](const CdpEvent& e) {
    if (e.session_id != "S1") std::abort();  // routed to the wrong session
  });
  auto page_like = conn->Subscribe("", kAnySession, ReadLikeADownloadHandler);
  EventWaiter waiter(*conn, "S1", {"Page.loadEventFired", "Page.frameNavigated", "Browser.downloadProgress"});
  waiter.Watch("S2", {"Page.loadEventFired"});
  int closes = 0;
  auto closed = conn->OnClose([&](const std::string&) { ++closes; });
  auto reply = conn->Call("Runtime.evaluate", {{"expression", "1"}}, "S1",
                          boletos::Deadline::In(std::chrono::seconds(5)));
  if (reply.ok() == false && reply.message().empty()) std::abort();  // an error must say what happened
  if (reply.ok() && !reply->is_object()) std::abort();  // a result that is not an object is refused
  // The waiter ends at once: the script is over, so the connection closed.
  auto waited = waiter.Wait([](const CdpEvent& e) { return StringField(e.params, "frameId") == "F1"; },
                            boletos::Deadline::In(std::chrono::milliseconds(0)), "a fuzzed event");
  if (!waited.ok() && waited.message().empty()) std::abort();
  (void)waiter.WaitAny(boletos::Deadline::In(std::chrono::milliseconds(0)));
  for (const auto& e : waiter.Drain()) {
    if (!e.params.is_object()) std::abort();
  }
  conn->Close();
  if (closes != 1) std::abort();  // the close is announced exactly once
  (void)events;
  return 0;
}
