#pragma once
// BrowserDisposer: closes browsers without making the caller wait. A
// recycle sends SIGKILL at once, but waiting for the kernel to tear the old
// process tree down, reaping it and deleting its profile took 40-60 ms per
// recycle, during which no tab could start the next browser. Here that
// happens on a background thread while the next browser starts.

#include <memory>
#include <thread>

#include "cdp/browser.h"

namespace boletos::cdp {

class BrowserDisposer {
 public:
  BrowserDisposer() = default;
  ~BrowserDisposer() { Flush(); }
  BrowserDisposer(const BrowserDisposer&) = delete;
  BrowserDisposer& operator=(const BrowserDisposer&) = delete;

  // Kills the browser now (BeginClose) and finishes closing it in the
  // background. One browser at a time: waits for the previous one first.
  void Dispose(std::unique_ptr<Browser> browser);
  // Returns once every browser handed over is reaped and its folder deleted.
  void Flush();

 private:
  std::thread closing_;
};

}  // namespace boletos::cdp
