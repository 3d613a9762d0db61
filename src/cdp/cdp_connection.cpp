#include "cdp/cdp_connection.h"

#include <condition_variable>
#include <vector>

#include "core/duration.h"

namespace boletos::cdp {

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
  conn->transport_->Start([raw](std::string text) { raw->OnMessage(text); },
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
  Json message = {{"id", id}, {"method", method}, {"params", params}};
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
  Json message = {{"id", id}, {"method", method}, {"params", params.is_null() ? Json::object() : params}};
  if (!session_id.empty()) message["sessionId"] = session_id;
  transport_->Send(message.dump(-1, ' ', false, Json::error_handler_t::replace));

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

void CdpConnection::OnMessage(const std::string& text) {
  Json message = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (message.is_discarded() || !message.is_object()) {
    ++malformed_;
    return;
  }
  auto id_it = message.find("id");
  if (id_it != message.end()) {
    if (!id_it->is_number_integer()) {
      ++malformed_;
      return;
    }
    std::shared_ptr<Pending> pending;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = pending_.find(id_it->get<int64_t>());
      if (it == pending_.end()) return;  // its caller already gave up (deadline)
      pending = it->second;
      pending_.erase(it);
    }
    auto error = message.find("error");
    if (error != message.end()) {
      std::string what = error->is_object() ? error->value("message", std::string("unknown error")) : error->dump();
      if (error->is_object() && error->contains("data") && (*error)["data"].is_string()) {
        what += " (" + (*error)["data"].get<std::string>() + ")";
      }
      pending->Settle(MakeError(ErrorKind::kProtocolError, pending->method + " failed: " + what));
    } else {
      auto result = message.find("result");
      pending->Settle(result != message.end() ? *result : Json::object());
    }
    return;
  }

  auto method_it = message.find("method");
  if (method_it == message.end() || !method_it->is_string()) {
    ++malformed_;
    return;
  }
  CdpEvent event;
  event.method = method_it->get<std::string>();
  if (auto s = message.find("sessionId"); s != message.end() && s->is_string()) event.session_id = s->get<std::string>();
  if (auto p = message.find("params"); p != message.end()) event.params = std::move(*p);

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
    std::lock_guard<std::mutex> run(entry->run_mu);
    if (entry->active) entry->on_event(event);
  }
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
    std::lock_guard<std::mutex> run(entry->run_mu);
    if (entry->active) entry->on_close(reason);
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
