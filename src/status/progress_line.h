#pragma once
// ProgressLine: on a terminal, a line below the log that says how the run
// goes - clients done of the total, the rate, the time left, the memory
// against the limit - redrawn every second from LiveStatus. Without a
// terminal (a container's log, a pipe) there is no such line, only the
// plain log lines.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "status/live_status.h"

namespace boletos::status {

// "12/43 done, 2.1/s, about 15 s left, memory 180.2 MB of 512.0 MB"
// (waiting: "waiting for the next cycle, in 35 s").
std::string ProgressText(const LiveSnapshot& s);

class ProgressLine {
 public:
  // Draws nothing unless the log goes to a terminal (ops::LogsToTerminal).
  explicit ProgressLine(const LiveStatus& live);
  ~ProgressLine();  // the line is taken away
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  const LiveStatus& live_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace boletos::status
