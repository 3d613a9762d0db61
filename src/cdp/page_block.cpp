// Page blocking: the flow's `block:` list, through the Fetch domain. Only
// the requests that match are paused (Fetch patterns), and each is failed
// at once; every other request goes as if nothing listened.

#include "cdp/json_fields.h"
#include "cdp/page.h"

namespace boletos::cdp {

void Page::SetBlockList(std::vector<std::string> types, std::vector<std::string> url_patterns) {
  block_types_ = std::move(types);
  block_urls_ = std::move(url_patterns);
}

Status Page::Block(bool on, Deadline deadline) {
  if ((block_types_.empty() && block_urls_.empty()) || on == blocking_) return Status::Ok();
  if (!on) {
    blocked_requests_.Reset();
    auto r = Call("Fetch.disable", Json::object(), deadline);
    if (!r.ok()) return r.error();
    blocking_ = false;
    return Status::Ok();
  }
  Json patterns = Json::array();
  for (const auto& type : block_types_) patterns.push_back({{"urlPattern", "*"}, {"resourceType", type}});
  for (const auto& url : block_urls_) {
    // Fetch patterns know `*` and `?`; a `?` of a query is a character here.
    std::string escaped;
    for (char c : url) escaped += c == '?' ? std::string("\\?") : std::string(1, c);
    patterns.push_back({{"urlPattern", escaped}});
  }
  auto conn = conn_;
  std::string session = session_id_;
  blocked_requests_ = conn_->Subscribe("Fetch.requestPaused", session_id_, [conn, session](const CdpEvent& e) {
    std::string id = StringField(e.params, "requestId");
    if (!id.empty()) conn->Post("Fetch.failRequest", {{"requestId", id}, {"errorReason", "BlockedByClient"}}, session);
  });
  auto r = Call("Fetch.enable", {{"patterns", patterns}}, deadline);
  if (!r.ok()) {
    blocked_requests_.Reset();
    return r.error();
  }
  blocking_ = true;
  return Status::Ok();
}

}  // namespace boletos::cdp
