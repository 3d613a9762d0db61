#pragma once
// TestSite: a cpp-httplib server on 127.0.0.1 (port 0) with the pages the
// browser tests drive: a form, a late element, and every way a portal
// hands out a PDF (attachment, inline, new tab, blob, HTML to print).

#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

namespace boletos::test_support {

class TestSite {
 public:
  TestSite();
  ~TestSite();
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  // The bytes /file.pdf serves; a small valid PDF.
  static const std::string& PdfBytes();
  // Makes /slow.pdf send half the file and then hang, for crash tests.
  httplib::Server& server() { return server_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// A minimal, valid one-page PDF with the given text line.
std::string MakePdf(const std::string& text);

}  // namespace boletos::test_support
