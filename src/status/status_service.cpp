#include "status/status_service.h"

#include "report/status_view.h"
#include "ops/prometheus_text.h"
#include "status/live_json.h"
#include "status/metrics.h"
#include "status/status_page.h"

namespace boletos::status {
namespace {

// The process serving this holds the instance lock: a `running` run in the
// store is alive, and LoadStatusView must not mark it crashed.
constexpr bool kLockHeld = true;

}  // namespace

StatusService::StatusService(store::Store& store, const LiveStatus& live, StatusServiceOptions options)
    : store_(store), live_(live), options_(std::move(options)) {
  server_.Get("/healthz", [this] { return Healthz(); });
  server_.Get("/status", [this] { return StatusJson(); }, ops::RouteAccess::kPersonal);
  server_.Get("/metrics", [this] { return Metrics(); });
  server_.Get("/", [this] { return Page(); }, ops::RouteAccess::kPersonal);
  server_.SetAccess(options_.access);
}

Result<std::unique_ptr<StatusService>> StatusService::Start(store::Store& store, const LiveStatus& live,
                                                            const StatusServiceOptions& options) {
  std::unique_ptr<StatusService> service(new StatusService(store, live, options));
  if (Status s = service->server_.Start(options.bind, options.port); !s.ok()) return s.error();
  return service;
}

ops::HttpReply StatusService::Healthz() const {
  HealthVerdict v = JudgeHealth(live_.Read(), options_.health);
  return ops::HttpReply{v.healthy ? 200 : 503, "text/plain; charset=utf-8", v.text + "\n"};
}

ops::HttpReply StatusService::StatusJson() const {
  LiveSnapshot s = live_.Read();
  HealthVerdict v = JudgeHealth(s, options_.health);
  auto view = report::LoadStatusView(store_, s.period, kLockHeld);
  nlohmann::json body;
  int code = 200;
  if (view.ok()) {
    body = report::StatusToJson(*view);
  } else {
    code = 503;
    body = {{"error", "the database could not be read: " + view.message()}};
  }
  body["live"] = LiveToJson(s, v);
  return ops::HttpReply{code, "application/json", body.dump(2) + "\n"};
}

ops::HttpReply StatusService::Metrics() const {
  LiveSnapshot s = live_.Read();
  HealthVerdict v = JudgeHealth(s, options_.health);
  auto view = report::LoadStatusView(store_, s.period, kLockHeld);
  return ops::HttpReply{200, ops::PrometheusText::ContentType(), RenderMetrics(view.ok() ? &*view : nullptr, s, v)};
}

ops::HttpReply StatusService::Page() const {
  LiveSnapshot s = live_.Read();
  HealthVerdict v = JudgeHealth(s, options_.health);
  auto view = report::LoadStatusView(store_, s.period, kLockHeld);
  // The chart shows the run in flight, else the newest run the store knows.
  int64_t chart_run = s.run_id;
  if (chart_run == 0 && view.ok() && !view->report.recent_runs.empty()) chart_run = view->report.recent_runs.front().id;
  std::vector<store::MemorySample> samples;
  if (chart_run > 0) {
    auto got = store_.MemorySamples(chart_run);
    if (got.ok()) samples = std::move(*got);
  }
  std::string page = RenderStatusPage(view.ok() ? &*view : nullptr, view.ok() ? "" : view.message(), s, v, samples,
                                      chart_run);
  return ops::HttpReply{200, "text/html; charset=utf-8", std::move(page)};
}

}  // namespace boletos::status
