#include "cdp/browser_disposer.h"

namespace boletos::cdp {

void BrowserDisposer::Dispose(std::unique_ptr<Browser> browser) {
  if (!browser) return;
  browser->BeginClose();
  Flush();  // browsers live for seconds and close in tens of ms: no wait in practice
  closing_ = std::thread([dying = std::move(browser)]() mutable { dying.reset(); });
}

void BrowserDisposer::Flush() {
  if (closing_.joinable()) closing_.join();
}

}  // namespace boletos::cdp
