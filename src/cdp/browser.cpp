#include "cdp/browser.h"

namespace boletos::cdp {

Result<std::unique_ptr<Browser>> Browser::Launch(const LaunchOptions& options) {
  auto started = std::chrono::steady_clock::now();
  std::unique_ptr<Browser> browser(new Browser());
  auto process = BrowserProcess::Launch(options);
  if (!process.ok()) return process.error();
  browser->process_ = std::move(*process);

  Deadline deadline = Deadline::In(options.start_timeout);
  auto transport = ConnectWebSocket(browser->process_->websocket_url(), deadline);
  if (!transport.ok()) return transport.error();
  browser->conn_ = CdpConnection::Create(std::move(*transport));

  auto version = browser->conn_->Call("Browser.getVersion", Json::object(), "", deadline);
  if (!version.ok()) return version.error();
  browser->version_ = version->value("product", "");

  auto downloads = browser->conn_->Call("Browser.setDownloadBehavior",
                                        {{"behavior", "allowAndName"},
                                         {"downloadPath", browser->process_->download_dir()},
                                         {"eventsEnabled", true}},
                                        "", deadline);
  if (!downloads.ok()) return downloads.error();
  auto discover = browser->conn_->Call("Target.setDiscoverTargets", {{"discover", true}}, "", deadline);
  if (!discover.ok()) return discover.error();

  browser->startup_time_ =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return browser;
}

Result<std::unique_ptr<Page>> Browser::NewPage(Deadline deadline) {
  auto created = conn_->Call("Target.createTarget", {{"url", "about:blank"}}, "", deadline);
  if (!created.ok()) return created.error();
  std::string target = created->value("targetId", "");
  auto attached = conn_->Call("Target.attachToTarget", {{"targetId", target}, {"flatten", true}}, "", deadline);
  if (!attached.ok()) return attached.error();
  auto page = std::make_unique<Page>(conn_, target, attached->value("sessionId", ""), process_->download_dir());
  if (Status s = page->Init(deadline); !s.ok()) return s.error();
  return page;
}

bool Browser::alive() { return !closed_ && !conn_->closed() && !process_->Exited(); }

std::string Browser::WhyDead() {
  if (closed_) return "the browser was closed";
  if (process_->Exited()) return "the browser process exited; its last output:\n" + process_->RecentOutput();
  if (conn_->closed()) return "the browser connection closed: " + conn_->close_reason();
  return "";
}

void Browser::BeginClose() {
  if (closed_) return;
  closed_ = true;
  // No polite Browser.close first: nothing in a browser being thrown away is
  // worth saving (its profile is deleted next), and asking cost 40 ms more
  // per recycle than SIGKILL to the group.
  conn_->Close();
  process_->SendKill();  // the group: the renderer and any other helper too
}

void Browser::Close() {
  BeginClose();
  process_->Kill();  // waits for the SIGKILLed group and reaps it (idempotent)
}

Browser::~Browser() {
  if (process_) Close();
}

}  // namespace boletos::cdp
