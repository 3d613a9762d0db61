// boletos-demo-portal: the demo customer portal on 127.0.0.1.

#include <CLI/CLI.hpp>

#include <cstdio>

#include "demo_portal.h"
#include "portal_process.h"

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

  boletos::demo::PortalProcess process;  // before the server's threads start
  auto portal = boletos::demo::DemoPortal::Start(o);
  if (!portal.ok()) {
    std::fprintf(stderr, "boletos-demo-portal: %s\n", portal.message().c_str());
    return 2;
  }
  process.AnnounceAndWait((*portal)->port(), (*portal)->url(), port_file);
  return 0;
}
