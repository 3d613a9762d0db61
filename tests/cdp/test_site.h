#pragma once
// TestSite: a cpp-httplib server on 127.0.0.1 (port 0) with the pages the
// browser tests drive: a form, a late element, and every way a portal
// hands out a PDF (attachment, inline, new tab, blob, HTML to print).

#include <httplib.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

namespace boletos::test_support {

class TestSite {
 public:
  TestSite();
  ~TestSite();
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  // A counter page's number (/busy-login/hits, /pixel.png/hits), asked
  // from outside the browser; -1 if it cannot be read.
  int Count(const std::string& path) const {
    httplib::Client client("127.0.0.1", port_);
    auto r = client.Get(path);
    return r && r->status == 200 ? std::atoi(r->body.c_str()) : -1;
  }
  // The bytes /file.pdf serves; a small valid PDF.
  static const std::string& PdfBytes();
  // Makes /slow.pdf send half the file and then hang, for crash tests.
  httplib::Server& server() { return server_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// /covered, /masked, /frames/top and /frames/login (portal_traps_pages.cpp).
void AddPortalTrapPages(httplib::Server& server);

// A minimal, valid one-page PDF with the given text line.
std::string MakePdf(const std::string& text);

}  // namespace boletos::test_support
