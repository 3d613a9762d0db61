// SPEC "Flow file", download: a PDF that an HTML viewer page shows in an
// <iframe>, <embed> or <object> is saved as the portal sends it, not a print
// of the viewer; an HTML slip is printed once its text shows the client.
// On a real headless shell.

#include <gtest/gtest.h>

#include <cstdio>

#include "browser_fixture.h"

using namespace boletos;
using test_support::BrowserTest;
using test_support::Secs;

namespace {

std::string PdfText(const std::string& path) {
  std::string text;
  FILE* p = popen(("pdftotext '" + path + "' - 2>/dev/null").c_str(), "r");
  if (!p) return text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  pclose(p);
  return text;
}

class ViewerPages : public BrowserTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(ViewerPages, ThePdfTheViewerShowsIsSavedByteExact) {
  ASSERT_TRUE(page_->Navigate(site_.url("/viewers"), Secs(10)).ok());
  auto r = page_->Download(cdp::DownloadAction::Click(std::string("#") + GetParam()), Out("v.pdf"), /*print_html=*/true,
                           Secs(20));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->kind, cdp::DownloadResult::Kind::kFile);
  EXPECT_EQ(r->source_url, site_.url("/file.pdf"));
  EXPECT_EQ(test_support::ReadAll(Out("v.pdf")), test_support::TestSite::PdfBytes());
}

INSTANTIATE_TEST_SUITE_P(EveryTag, ViewerPages, ::testing::Values("iframe", "embed", "object"));

class SlipPrint : public BrowserTest {};

TEST_F(SlipPrint, AnHtmlSlipIsPrintedOnceItShowsTheClient) {
  ASSERT_TRUE(page_->Navigate(site_.url("/viewers"), Secs(10)).ok());
  auto action = cdp::DownloadAction::Click("#filling");
  action.html_must_show = {"158.813.998-03"};
  action.needles_are_document = true;
  auto r = page_->Download(action, Out("slip.pdf"), /*print_html=*/true, Secs(20));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->kind, cdp::DownloadResult::Kind::kPrintedHtml);
  EXPECT_NE(PdfText(Out("slip.pdf")).find("158.813.998-03"), std::string::npos) << PdfText(Out("slip.pdf"));
}

}  // namespace
