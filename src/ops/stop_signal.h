#pragma once
// StopSignal: SIGTERM and SIGINT turned into a request the job loop polls
// and waits on. The handler only sets an atomic and writes to a pipe
// (async-signal-safe); waits (retry backoff, the worker's sleep between
// runs) end at once when a stop arrives. SIGPIPE is ignored.

#include <atomic>
#include <chrono>

namespace boletos::ops {

class StopSignal {
 public:
  // Installs the handlers; one instance per process.
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  bool requested() const;
  // The signal that asked (SIGTERM or SIGINT), 0 if none.
  int signal_number() const;
  // Sleeps until t; returns false at once (or early) if a stop is requested.
  bool WaitUntil(std::chrono::steady_clock::time_point t) const;
  bool WaitFor(std::chrono::milliseconds d) const { return WaitUntil(std::chrono::steady_clock::now() + d); }
  // For tests and for `worker` to stop itself.
  void Request(int signal_number);

 private:
  int read_fd_ = -1;
};

// 143 after SIGTERM, 130 after SIGINT.
int ExitCodeForSignal(int signal_number);

}  // namespace boletos::ops
