#pragma once
// Answering a page's JavaScript dialogs, which would otherwise block the tab
// until every later step timed out. alert, confirm and prompt are
// dismissed (confirm answers false), as Playwright does when no one
// listens; beforeunload is accepted, so a navigation the flow asked for is
// never held up by "leave this page?". Each dialog is kept in a DialogLog
// so the step it interrupted can name it.

#include <mutex>
#include <string>
#include <vector>

#include "cdp/cdp_connection.h"

namespace boletos::cdp {

// The dialogs seen on a tab (and its popups) since the last Take().
// Thread-safe: filled on the connection's I/O thread.
class DialogLog {
 public:
  void Add(std::string description);
  // What was seen, oldest first (`alert "Sessão expirada"`), and forgets it.
  std::vector<std::string> Take();

 private:
  std::mutex mu_;
  std::vector<std::string> seen_;  // at most kKept, the first ones
};

// Answers every dialog opened on session_id as above and records it in log,
// for as long as the returned subscription lives. log must outlive it.
Subscription AnswerDialogs(CdpConnection& conn, const std::string& session_id, DialogLog& log);

}  // namespace boletos::cdp
