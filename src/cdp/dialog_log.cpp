#include "cdp/dialog_log.h"

#include "cdp/json_fields.h"

namespace boletos::cdp {
namespace {

// A portal that opens dialogs in a loop must not grow the log without end.
constexpr size_t kKept = 8;
constexpr size_t kMessageBytes = 300;

}  // namespace

void DialogLog::Add(std::string description) {
  std::lock_guard<std::mutex> lock(mu_);
  if (seen_.size() < kKept) seen_.push_back(std::move(description));
}

std::vector<std::string> DialogLog::Take() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  out.swap(seen_);
  return out;
}

Subscription AnswerDialogs(CdpConnection& conn, const std::string& session_id, DialogLog& log) {
  return conn.Subscribe("Page.javascriptDialogOpening", session_id, [&conn, &log, session_id](const CdpEvent& e) {
    std::string type = StringField(e.params, "type");
    std::string message = StringField(e.params, "message");
    if (message.size() > kMessageBytes) message = message.substr(0, kMessageBytes) + "...";
    conn.Post("Page.handleJavaScriptDialog", {{"accept", type == "beforeunload"}}, session_id);
    log.Add((type.empty() ? std::string("dialog") : type) + " " +
            Json(message).dump(-1, ' ', false, Json::error_handler_t::replace));
  });
}

}  // namespace boletos::cdp
