#include "cdp/cdp_connection.h"

#include <condition_variable>
#include <vector>

#include <spdlog/spdlog.h>

#include "cdp/json_fields.h"
#include "core/duration.h"

namespace boletos::cdp {
namespace {

// Kinds of malformed message logged, at most: the kinds name methods the
// browser chose, so a hostile one could otherwise grow the set forever.
constexpr size_t kMaxLoggedKinds = 64;

// A browser's value for a message: JSON, cut short.
std::string Excerpt(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  return text;
}

}  // namespace

struct CdpConnection::Pending {
  std::string method;
  std::mutex mu;
  std::condition_variable cv;
  bool settled = false;
  std::optional<Result<Json>> result;

  void Settle(Result<Json> r) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (settled) return;
      settled = true;
      result.emplace(std::move(r));
    }
    cv.notify_all();
  }
};

struct Subscription::Entry {
  uint64_t id = 0;
  std::string method;      // "" = all; "@close" = the close notification
  std::string session_id;  // kAnySession = all
  std::function<void(const CdpEvent&)> on_event;
  std::function<void(const std::string&)> on_close;
  std::mutex run_mu;  // held while the handler runs, so unsubscribe can wait it out
  bool active = true;
  std::weak_ptr<CdpConnection> owner;
};

// ---- Subscription ----

Subscription::Subscription(std::weak_ptr<CdpConnection>, std::shared_ptr<Entry> entry) : entry_(std::move(entry)) {}
Subscription::Subscription(Subscription&& other) noexcept : entry_(std::move(other.entry_)) {}
Subscription& Subscription::operator=(Subscription&& other) noexcept {
  if (this != &other) {
    Reset();
    entry_ = std::move(other.entry_);
  }
  return *this;
}
Subscription::~Subscription() { Reset(); }

void Subscription::Reset() {
  if (!entry_) return;
  {
    std::lock_guard<std::mutex> lock(entry_->run_mu);
    entry_->active = false;
  }
  if (auto owner = entry_->owner.lock()) owner->Unsubscribe(entry_);
  entry_.reset();
}

// ---- CdpConnection ----

std::shared_ptr<CdpConnection> CdpConnection::Create(std::unique_ptr<Transport> transport) {
  std::shared_ptr<CdpConnection> conn(new CdpConnection(std::move(transport)));
  // Raw pointer on purpose: the destructor joins the I/O thread before any
  // member goes, so the callbacks never outlive the object. Locking a
  // weak_ptr here could make the I/O thread drop the last reference and run
  // the destructor on itself.
  CdpConnection* raw = conn.get();
  conn->transport_->Start(
      [raw](std::string text) {
        // Nothing may leave the I/O thread's callback: an exception there ends the process.
        try {
          raw->OnMessage(text);
        } catch (const std::exception& e) {
          raw->NoteMalformed(std::string("a message that could not be handled (") + e.what() + ")");
        }
      },
                          [raw](const std::string& reason) { raw->OnTransportClosed(reason); });
  return conn;
}

CdpConnection::CdpConnection(std::unique_ptr<Transport> transport) : transport_(std::move(transport)) {}

CdpConnection::~CdpConnection() { Close(); }

void CdpConnection::Close() {
  if (transport_) transport_->Close();
  OnTransportClosed("closed by boletos");
}

bool CdpConnection::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

std::string CdpConnection::close_reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return close_reason_;
}

void CdpConnection::Post(const std::string& method, const Json& params, const std::string& session_id) {
  int64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    id = next_id_++;  // no pending entry: the reply finds none and is dropped
  }
  SendCommand(id, method, params, session_id);
}

void CdpConnection::SendCommand(int64_t id, const std::string& method, const Json& params,
                                const std::string& session_id) {
  Json message = {{"id", id}, {"method", method}, {"params", params.is_null() ? Json::object() : params}};
  if (!session_id.empty()) message["sessionId"] = session_id;
  transport_->Send(message.dump(-1, ' ', false, Json::error_handler_t::replace));
}

Result<Json> CdpConnection::Call(const std::string& method, const Json& params, const std::string& session_id,
                                 Deadline deadline) {
  auto pending = std::make_shared<Pending>();
  pending->method = method;
  int64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) {
      return MakeError(ErrorKind::kConnectionClosed,
                       "cannot send " + method + ": the browser connection is closed (" + close_reason_ + ")");
    }
    id = next_id_++;
    pending_[id] = pending;
  }
  SendCommand(id, method, params, session_id);

  std::unique_lock<std::mutex> lock(pending->mu);
  if (!pending->cv.wait_until(lock, deadline.when(), [&] { return pending->settled; })) {
    lock.unlock();
    {
      std::lock_guard<std::mutex> table_lock(mu_);
      pending_.erase(id);
    }
    // The reply may have raced the deadline; the first settlement wins.
    pending->Settle(MakeError(ErrorKind::kTimeout,
                              method + " got no answer within " + FormatDuration(deadline.budget()) +
                                  ": the page or browser is busy or hung"));
    lock.lock();
  }
  return std::move(*pending->result);
}

void CdpConnection::OnMessage(std::string_view text) {
  Json message = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded() || !message.is_object()) return NoteMalformed("a message that is not a JSON object");
  if (const Json* id = Field(message, "id")) return OnReply(*id, message);

  auto method = OptionalStringField(message, "method");
  if (!method) return NoteMalformed("a message with neither an integer id nor a string method");
  CdpEvent event;
  event.method = std::move(*method);
  if (const Json* session = Field(message, "sessionId")) {
    if (!session->is_string()) return NoteMalformed("an event whose sessionId is not a string");
    event.session_id = session->get<std::string>();
  }
  // Subscribers may rely on params being an object: anything else is refused here.
  auto params = message.find("params");
  if (params == message.end()) {
    event.params = Json::object();
  } else if (params->is_object()) {
    event.params = std::move(*params);
  } else {
    return NoteMalformed("an event whose params are not an object");
  }
  Dispatch(event);
}

void CdpConnection::OnReply(const Json& id, Json& message) {
  if (!id.is_number_integer()) return NoteMalformed("a reply whose id is not an integer");
  std::shared_ptr<Pending> pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = pending_.find(id.get<int64_t>());
    if (it == pending_.end()) return;  // its caller already gave up (deadline)
    pending = it->second;
    pending_.erase(it);
  }
  if (const Json* error = Field(message, "error")) {
    std::string what;
    if (auto text = OptionalStringField(*error, "message")) {
      what = *text;
      if (auto data = OptionalStringField(*error, "data")) what += " (" + *data + ")";
    } else {
      // Not CDP's {code, message}: keep what the browser said, whatever it is.
      NoteMalformed("an error reply without a string message");
      const Json* inner = Field(*error, "message");
      what = Excerpt(inner != nullptr ? *inner : *error);
    }
    pending->Settle(MakeError(ErrorKind::kProtocolError, pending->method + " failed: " + what));
    return;
  }
  auto result = message.find("result");
  if (result == message.end()) {
    pending->Settle(Json::object());
  } else if (result->is_object()) {
    pending->Settle(std::move(*result));
  } else {
    // Callers read fields of the result; a number or an array has none.
    NoteMalformed("a reply whose result is not an object");
    pending->Settle(MakeError(ErrorKind::kProtocolError,
                              pending->method + " got a malformed reply: its result is " + Excerpt(*result) +
                                  ", not an object (is --chromium a real Chromium?)"));
  }
}

void CdpConnection::Dispatch(const CdpEvent& event) {
  std::vector<std::shared_ptr<Subscription::Entry>> targets;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [_, entry] : subscribers_) {
      if (!entry->on_event) continue;
      if (!entry->method.empty() && entry->method != event.method) continue;
      if (entry->session_id != kAnySession && entry->session_id != event.session_id) continue;
      targets.push_back(entry);
    }
  }
  for (auto& entry : targets) {
    std::string thrown = RunHandler(*entry, [&] { entry->on_event(event); });
    if (!thrown.empty()) NoteMalformed("an event " + event.method + " its subscriber could not read (" + thrown + ")");
  }
}

std::string CdpConnection::RunHandler(Subscription::Entry& entry, const std::function<void()>& call) {
  std::lock_guard<std::mutex> run(entry.run_mu);
  if (!entry.active) return "";
  try {
    call();
  } catch (const std::exception& e) {
    return e.what()[0] ? e.what() : "an exception without a message";
  } catch (...) {
    return "a non-standard exception";
  }
  return "";
}

void CdpConnection::NoteMalformed(const std::string& kind) {
  ++malformed_;
  std::lock_guard<std::mutex> lock(logged_mu_);
  if (logged_kinds_.size() >= kMaxLoggedKinds || !logged_kinds_.insert(kind).second) return;
  spdlog::warn("the browser sent {}: ignored and counted as malformed (logged once per kind; "
               "if this repeats, check that --chromium is a real Chromium)",
               kind);
}

void CdpConnection::OnTransportClosed(const std::string& reason) {
  std::map<int64_t, std::shared_ptr<Pending>> orphans;
  std::vector<std::shared_ptr<Subscription::Entry>> watchers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    close_reason_ = reason;
    orphans.swap(pending_);
    for (auto& [_, entry] : subscribers_) {
      if (entry->on_close) watchers.push_back(entry);
    }
  }
  for (auto& [_, pending] : orphans) {
    pending->Settle(MakeError(ErrorKind::kConnectionClosed,
                              "the browser connection closed (" + reason + ") while waiting for " + pending->method));
  }
  for (auto& entry : watchers) {
    std::string thrown = RunHandler(*entry, [&] { entry->on_close(reason); });
    if (!thrown.empty()) {
      spdlog::error("a handler of the browser connection's close failed ({}); the other handlers still ran", thrown);
    }
  }
}

Subscription CdpConnection::Subscribe(const std::string& method, const std::string& session_id,
                                      std::function<void(const CdpEvent&)> handler) {
  auto entry = std::make_shared<Subscription::Entry>();
  entry->method = method;
  entry->session_id = session_id;
  entry->on_event = std::move(handler);
  entry->owner = weak_from_this();
  std::lock_guard<std::mutex> lock(mu_);
  entry->id = next_subscriber_++;
  subscribers_[entry->id] = entry;
  return Subscription(weak_from_this(), entry);
}

Subscription CdpConnection::OnClose(std::function<void(const std::string& reason)> handler) {
  auto entry = std::make_shared<Subscription::Entry>();
  entry->method = "@close";
  entry->on_close = std::move(handler);
  entry->owner = weak_from_this();
  std::string reason;
  bool already_closed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    entry->id = next_subscriber_++;
    subscribers_[entry->id] = entry;
    already_closed = closed_;
    reason = close_reason_;
  }
  if (already_closed) entry->on_close(reason);
  return Subscription(weak_from_this(), entry);
}

void CdpConnection::Unsubscribe(const std::shared_ptr<Subscription::Entry>& entry) {
  std::lock_guard<std::mutex> lock(mu_);
  subscribers_.erase(entry->id);
}

}  // namespace boletos::cdp
