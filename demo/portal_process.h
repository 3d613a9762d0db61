#pragma once
// What a test portal's program does around its server: SIGTERM and SIGINT
// are blocked before the server starts (its threads inherit the mask, so
// the signal reaches the main thread's sigwait), the port is announced in a
// file written whole (renamed into place) and on stdout, and the program
// waits for the signal. Shared by boletos-demo-portal and
// boletos-consorcio-portal.

#include <string>

namespace boletos::demo {

class PortalProcess {
 public:
  PortalProcess();  // blocks SIGTERM and SIGINT in this thread and those it starts
  // Writes port to port_file (when not empty), prints "listening on URL",
  // and returns once SIGTERM or SIGINT arrives.
  void AnnounceAndWait(int port, const std::string& url, const std::string& port_file) const;
};

}  // namespace boletos::demo
