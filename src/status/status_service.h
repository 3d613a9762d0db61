#pragma once
// StatusService: the status port of `run` and `worker`. It serves
//   /healthz  200 "ok: ..." or 503 with the reason (see health.h)
//   /status   the JSON of `status --json`, plus "live" (see live_json.h)
//   /metrics  Prometheus text, every name prefixed boletos_
//   /         a self-contained HTML page with progress and a memory chart
// from the store (shared with the loop; its calls are serialised) and a
// LiveStatus. Both must outlive the service; the destructor stops serving.

#include <memory>
#include <string>

#include "ops/status_server.h"
#include "status/health.h"
#include "status/live_status.h"
#include "store/store.h"

namespace boletos::status {

struct StatusServiceOptions {
  std::string bind = "127.0.0.1";
  int port = 0;  // 0: any free port
  ops::ServerAccess access;  // who may read /status and / (see RouteAccess)
  HealthPolicy health;
};

class StatusService {
 public:
  // Binds and serves; kBadInput if the address cannot be bound.
  static Result<std::unique_ptr<StatusService>> Start(store::Store& store, const LiveStatus& live,
                                                      const StatusServiceOptions& options);
  int port() const { return server_.port(); }
  std::string url() const { return server_.url(); }

 private:
  StatusService(store::Store& store, const LiveStatus& live, StatusServiceOptions options);
  ops::HttpReply Healthz() const;
  ops::HttpReply StatusJson() const;
  ops::HttpReply Metrics() const;
  ops::HttpReply Page() const;

  store::Store& store_;
  const LiveStatus& live_;
  StatusServiceOptions options_;
  ops::StatusServer server_;  // last: stops (and joins) before the rest goes
};

}  // namespace boletos::status
