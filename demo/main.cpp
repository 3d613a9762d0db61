// boletos-demo-portal: the demo customer portal on 127.0.0.1.

#include <CLI/CLI.hpp>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "demo_portal.h"

int main(int argc, char** argv) {
  boletos::demo::PortalOptions o;
  std::string port_file;
  CLI::App app{"boletos demo portal: a customer portal on 127.0.0.1 that serves boletos", "boletos-demo-portal"};
  app.add_option("--port", o.port, "port (0 = any free port)")->capture_default_str();
  app.add_option("--clients", o.clients_csv, "clients CSV")->required();
  app.add_option("--faults", o.faults, "e.g. http500=0.1,stall=0.05,truncate=0.1,html_error=0.1,wrong_client=0.1,expire_every=7");
  app.add_option("--seed", o.seed, "seed for the faults")->capture_default_str();
  app.add_option("--no-slip", o.no_slip, "client ids with no open slip this period (comma-separated)")->delimiter(',');
  app.add_option("--user", o.user)->capture_default_str();
  app.add_option("--password", o.password)->capture_default_str();
  app.add_option("--port-file", port_file, "write the port here once listening");
  CLI11_PARSE(app, argc, argv);

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // the server threads inherit the mask

  auto portal = boletos::demo::DemoPortal::Start(o);
  if (!portal.ok()) {
    std::fprintf(stderr, "boletos-demo-portal: %s\n", portal.message().c_str());
    return 2;
  }
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << (*portal)->port() << "\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  std::printf("listening on %s\n", (*portal)->url().c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
}
