#pragma once
// DocumentWatch: the HTTP status of the documents a tab loads while it
// lives (Network events, enabled only for that long: a login, not every
// client). A login answered 429 or 503 is the portal asking to come back
// later; its Retry-After says when.
//
// Invariant: busy() reflects the last document response seen, of any frame
// of the tab; events stop when the watch is destroyed.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "cdp/cdp_connection.h"

namespace boletos::cdp {

struct BusyAnswer {
  int status = 0;                             // 429 or 503
  std::string url;
  std::optional<std::chrono::seconds> retry_after;  // the header, as seconds from now
};

class DocumentWatch {
 public:
  DocumentWatch(std::shared_ptr<CdpConnection> conn, std::string session_id, Deadline deadline);
  ~DocumentWatch();
  DocumentWatch(const DocumentWatch&) = delete;
  DocumentWatch& operator=(const DocumentWatch&) = delete;

  // The last document response, when it said "busy" (429 or 503).
  std::optional<BusyAnswer> busy() const;

 private:
  struct Seen {
    std::mutex mu;
    std::optional<BusyAnswer> last_busy;
  };
  std::shared_ptr<CdpConnection> conn_;
  std::string session_id_;
  std::shared_ptr<Seen> seen_;
  Subscription responses_;
};

// Retry-After as seconds from now: a number of seconds, or an HTTP date
// (RFC 9110), compared with now. nullopt when it is neither.
std::optional<std::chrono::seconds> ParseRetryAfter(const std::string& value,
                                                    std::chrono::system_clock::time_point now);

}  // namespace boletos::cdp
