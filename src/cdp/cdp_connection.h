#pragma once
// CdpConnection: framing and routing of the Chrome DevTools Protocol over a
// Transport. Commands are matched to replies by id; every pending command
// ends exactly once - with its reply, its deadline, or the connection's
// death (then all of them fail at once with kConnectionClosed). Events go to
// subscribers by method and flattened-session id.
//
// Every message is untrusted input, checked once here: a reply's result is an
// object (else the call fails with kProtocolError), an event's params are an
// object and its sessionId a string (else it is dropped); what does not fit
// is counted in malformed_messages() and logged once per kind, and never
// ends the process.
//
// Threads: Call() blocks the calling thread; replies and events arrive on the
// transport's I/O thread. Event handlers run on that thread: they must be
// quick and must not call Call() or drop their own Subscription. A handler
// that throws is caught there, counted as malformed and logged; read fields
// with json_fields.h so that none does.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cdp/transport.h"
#include "core/deadline.h"
#include "core/result.h"

namespace boletos::cdp {

using Json = nlohmann::json;

struct CdpEvent {
  std::string method;
  std::string session_id;  // empty for browser-level events
  Json params;
};

// Matches any session, including the browser's own (no sessionId).
inline const std::string kAnySession = "*";

class CdpConnection;

// A live event subscription; unsubscribes when destroyed. Once the
// destructor returns, the handler is not running and will not run again.
class Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&& other) noexcept;
  Subscription& operator=(Subscription&& other) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription();
  void Reset();

 private:
  friend class CdpConnection;
  struct Entry;
  Subscription(std::weak_ptr<CdpConnection> owner_state, std::shared_ptr<Entry> entry);
  std::shared_ptr<Entry> entry_;
};

class CdpConnection : public std::enable_shared_from_this<CdpConnection> {
 public:
  // Takes ownership of a connected transport and starts routing.
  static std::shared_ptr<CdpConnection> Create(std::unique_ptr<Transport> transport);
  ~CdpConnection();

  // Sends method(params) to session_id ("" = the browser) and waits for the
  // reply until the deadline. Errors: kTimeout (names the method and the
  // budget), kConnectionClosed (the browser went away), kProtocolError (the
  // browser answered with an error; its message is kept).
  Result<Json> Call(const std::string& method, const Json& params = Json::object(),
                    const std::string& session_id = "", Deadline deadline = Deadline::In(std::chrono::seconds(30)));

  // Sends method(params) without waiting; its reply is dropped. The one
  // command an event handler may send (it only queues the message).
  void Post(const std::string& method, const Json& params, const std::string& session_id);

  // Calls handler for every event named method ("" = every event) on
  // session_id (kAnySession = all sessions).
  Subscription Subscribe(const std::string& method, const std::string& session_id,
                         std::function<void(const CdpEvent&)> handler);
  // Calls handler once when the connection closes (at once if it is closed).
  Subscription OnClose(std::function<void(const std::string& reason)> handler);

  bool closed() const;
  std::string close_reason() const;
  // Closes the transport; pending calls fail with kConnectionClosed.
  void Close();

  // Messages that could not be parsed, routed or read by their subscriber
  // (for tests and metrics).
  int64_t malformed_messages() const { return malformed_.load(); }

 private:
  friend class Subscription;
  struct Pending;
  explicit CdpConnection(std::unique_ptr<Transport> transport);
  // Frames and sends one command (invalid UTF-8 replaced, never thrown).
  void SendCommand(int64_t id, const std::string& method, const Json& params, const std::string& session_id);
  void OnMessage(std::string_view text);
  void OnReply(const Json& id, Json& message);
  void Dispatch(const CdpEvent& event);
  // Counts a malformed message; logs the first of each kind.
  void NoteMalformed(const std::string& kind);
  void OnTransportClosed(const std::string& reason);
  // The handler boundary: runs call (one subscriber's handler) under the
  // entry's run lock unless it was unsubscribed, and returns what it threw
  // ("" if nothing). A handler that reads a field of the wrong type with
  // value() or get<>() throws on the I/O thread, where nothing else would
  // catch it and the process would end.
  static std::string RunHandler(Subscription::Entry& entry, const std::function<void()>& call);
  void Unsubscribe(const std::shared_ptr<Subscription::Entry>& entry);

  std::unique_ptr<Transport> transport_;
  mutable std::mutex mu_;
  int64_t next_id_ = 1;
  std::map<int64_t, std::shared_ptr<Pending>> pending_;
  std::map<uint64_t, std::shared_ptr<Subscription::Entry>> subscribers_;
  uint64_t next_subscriber_ = 1;
  bool closed_ = false;
  std::string close_reason_;
  std::atomic<int64_t> malformed_{0};
  std::mutex logged_mu_;                 // guards logged_kinds_
  std::set<std::string> logged_kinds_;  // kinds of malformed message already logged
};

}  // namespace boletos::cdp
