// boletos-consorcio-portal: the consórcio test portal (consorcio_portal.h)
// on 127.0.0.1, for scripts/demo: a login in an iframe under a cookie
// banner, a masked CNPJ field, postbacks, and a slip per client that comes
// a different way (attachment, popup through "aguarde", viewer, blob,
// async generation, HTML to print, password-protected PDF; one client has
// no open slip).

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>

#include "consorcio_portal.h"
#include "portal_process.h"

int main(int argc, char** argv) {
  boletos::test_portal::ConsorcioOptions o;
  std::string port_file;
  CLI::App app{"boletos consórcio test portal on 127.0.0.1", "boletos-consorcio-portal"};
  app.add_option("--work-dir", o.work_dir, "where the password-protected PDFs are made (qpdf)")->required();
  app.add_option("--period", o.period, "the billing period the slips are for")->capture_default_str();
  app.add_option("--port-file", port_file, "write the port here once listening");
  std::string clients_csv;
  app.add_option("--write-clients", clients_csv, "write the portal's clients here as a CSV for `boletos import`");
  CLI11_PARSE(app, argc, argv);

  boletos::demo::PortalProcess process;  // before the server's threads start
  auto portal = boletos::test_portal::ConsorcioPortal::Start(o);
  if (!portal.ok()) {
    std::fprintf(stderr, "boletos-consorcio-portal: %s\n", portal.message().c_str());
    return 2;
  }
  if (!clients_csv.empty()) std::ofstream(clients_csv) << boletos::test_portal::ConsorcioPortal::ClientsCsv();
  std::string url = (*portal)->url();
  process.AnnounceAndWait(std::stoi(url.substr(url.rfind(':') + 1)), url, port_file);
  return 0;
}
