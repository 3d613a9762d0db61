#include "cdp/document_watch.h"

#include <cctype>
#include <ctime>

#include "cdp/json_fields.h"

namespace boletos::cdp {

DocumentWatch::DocumentWatch(std::shared_ptr<CdpConnection> conn, std::string session_id, Deadline deadline)
    : conn_(std::move(conn)), session_id_(std::move(session_id)), seen_(std::make_shared<Seen>()) {
  auto seen = seen_;
  responses_ = conn_->Subscribe("Network.responseReceived", session_id_, [seen](const CdpEvent& e) {
    if (StringField(e.params, "type") != "Document") return;
    const Json& response = ObjectField(e.params, "response");
    int status = static_cast<int>(IntField(response, "status"));
    std::lock_guard<std::mutex> lock(seen->mu);
    if (status != 429 && status != 503) {
      seen->last_busy.reset();
      return;
    }
    BusyAnswer busy{status, StringField(response, "url"), std::nullopt};
    const Json& headers = ObjectField(response, "headers");
    if (headers.is_object()) {
      for (const auto& [name, value] : headers.items()) {
        std::string lower;
        for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "retry-after" && value.is_string()) {
          busy.retry_after = ParseRetryAfter(value.get<std::string>(), std::chrono::system_clock::now());
        }
      }
    }
    seen->last_busy = busy;
  });
  (void)conn_->Call("Network.enable", Json::object(), session_id_, deadline);
}

DocumentWatch::~DocumentWatch() {
  responses_.Reset();
  if (!conn_->closed()) {
    (void)conn_->Call("Network.disable", Json::object(), session_id_, Deadline::In(std::chrono::seconds(2)));
  }
}

std::optional<BusyAnswer> DocumentWatch::busy() const {
  std::lock_guard<std::mutex> lock(seen_->mu);
  return seen_->last_busy;
}

std::optional<std::chrono::seconds> ParseRetryAfter(const std::string& value,
                                                    std::chrono::system_clock::time_point now) {
  std::string v = value;
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.erase(0, 1);
  if (v.empty()) return std::nullopt;
  bool digits = v.size() <= 9;
  for (char c : v) digits = digits && std::isdigit(static_cast<unsigned char>(c));
  if (digits) return std::chrono::seconds(std::stoll(v));
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  const char* end = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
  auto left = std::chrono::duration_cast<std::chrono::seconds>(when - now);
  return left.count() > 0 ? left : std::chrono::seconds(0);
}

}  // namespace boletos::cdp
