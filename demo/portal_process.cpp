#include "portal_process.h"

#include <signal.h>

#include <cstdio>
#include <fstream>

namespace boletos::demo {
namespace {

sigset_t StopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

PortalProcess::PortalProcess() {
  sigset_t set = StopSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void PortalProcess::AnnounceAndWait(int port, const std::string& url, const std::string& port_file) const {
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << port << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::printf("listening on %s\n", url.c_str());
  std::fflush(stdout);
  sigset_t set = StopSignals();
  int sig = 0;
  sigwait(&set, &sig);
}

}  // namespace boletos::demo
