// SPEC "Flow file", `frame:`: a step acts inside an iframe, same-origin or
// cross-origin (another site: its own process and target), through a path
// of nested frames, waiting for the frame to exist and load; a frame that
// reloads mid-wait is followed; a missing frame is named. On a real
// headless shell.

#include <gtest/gtest.h>

#include <cctype>

#include "browser_fixture.h"

using namespace boletos;
using test_support::BrowserTest;
using test_support::Secs;

namespace {

class Frames : public BrowserTest {
 protected:
  void Open(const std::string& path) { ASSERT_TRUE(page_->Navigate(site_.url(path), Secs(10)).ok()); }
  // The login page as another site serves it: localhost is not 127.0.0.1.
  std::string OtherSite(const std::string& path) {
    std::string url = site_.url(path);
    return "http://localhost" + url.substr(url.find(':', 5));
  }
  // url as one query value (percent-encoded, '%' too, so it nests).
  static std::string Encoded(const std::string& url) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : url) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
      }
    }
    return out;
  }
  // Logs in inside the frame at path and reads the greeting there.
  void LogInThrough(const std::vector<std::string>& path) {
    Status entered = page_->EnterFrames(path, Secs(10));
    ASSERT_TRUE(entered.ok()) << entered.message();
    Status filled = page_->Fill("#user", "Ana", Secs(5));
    ASSERT_TRUE(filled.ok()) << filled.message();
    Status clicked = page_->Click("#go", Secs(5));
    ASSERT_TRUE(clicked.ok()) << clicked.message();
    Status greeted = page_->WaitForText("Bem-vindo Ana", Secs(5));
    ASSERT_TRUE(greeted.ok()) << greeted.message() << "; the frame holds "
                              << page_->Evaluate("document.body.innerText", Secs(2)).value();
    page_->LeaveFrames();
    EXPECT_EQ(page_->Evaluate("document.title", Secs(5)).value(), "top") << "back in the top document";
  }
};

TEST_F(Frames, ALoginFormInASameOriginFrameIsFilledAndClicked) {
  Open("/frames/top?src=/frames/login");
  LogInThrough({"#login"});
}

TEST_F(Frames, ALoginFormInAFrameOfAnotherSiteIsFilledAndClicked) {
  // The default flags keep one renderer (DefaultBrowserArgs): the frame is
  // in-process and gets an isolated world.
  Open("/frames/top?src=" + Encoded(OtherSite("/frames/login")));
  LogInThrough({"#login"});
}

TEST_F(Frames, WithSiteIsolationAnotherSitesFrameIsDrivenThroughItsOwnTarget) {
  // A Chromium that isolates sites (a full desktop build's default) puts the
  // frame in a process and target of its own.
  Relaunch({"--site-per-process"});
  Open("/frames/top?src=" + Encoded(OtherSite("/frames/login")));
  ASSERT_TRUE(page_->EnterFrames({"#login"}, Secs(10)).ok());
  EXPECT_NE(page_->scope().session_id, page_->session_id()) << "another site's frame runs in a target of its own";
  page_->LeaveFrames();
  LogInThrough({"#login"});
}

TEST_F(Frames, APathOfNestedFramesIsFollowedAcrossSites) {
  // top (127.0.0.1) > #outer (localhost) > #login (127.0.0.1 again)
  std::string inner = site_.url("/frames/login");
  std::string outer = OtherSite("/frames/top?id=login&src=" + Encoded(inner));
  Open("/frames/top?id=outer&src=" + Encoded(outer));
  LogInThrough({"#outer", "#login"});
}

// Failure artifacts (issue 20): the HTML kept is the top document's and
// each frame's, in order, each after a comment naming its URL.
void ExpectEveryDocumentOfTheNest(const std::string& html, const std::string& outer_url,
                                  const std::string& inner_marker) {
  size_t top = html.find("<p>Portal</p>");
  size_t outer = html.find("<!-- boletos: frame " + outer_url);
  size_t inner = html.find(inner_marker);
  ASSERT_NE(top, std::string::npos) << html;
  ASSERT_NE(outer, std::string::npos) << html;
  ASSERT_NE(inner, std::string::npos) << "the innermost frame's document is kept: " << html;
  EXPECT_LT(top, outer);
  EXPECT_LT(outer, inner);
  EXPECT_EQ(html.find("not read"), std::string::npos) << html;
}

TEST_F(Frames, TheHtmlKeptOnFailureHoldsEveryFramesDocument) {
  std::string inner = site_.url("/frames/login");
  std::string outer = OtherSite("/frames/top?id=login&src=" + Encoded(inner));
  Open("/frames/top?id=outer&src=" + Encoded(outer));
  LogInThrough({"#outer", "#login"});
  auto html = page_->HtmlWithFrames(Secs(10));
  ASSERT_TRUE(html.ok()) << html.message();
  ExpectEveryDocumentOfTheNest(*html, outer, "Bem-vindo Ana");
}

// Each frame of another site is read through its own target, the inner one
// through the outer one's (entering first waits until both have loaded).
TEST_F(Frames, WithSiteIsolationTheHtmlKeptReadsOtherSitesFramesThroughTheirTargets) {
  Relaunch({"--site-per-process"});
  std::string inner = site_.url("/frames/login");
  std::string outer = OtherSite("/frames/top?id=login&src=" + Encoded(inner));
  Open("/frames/top?id=outer&src=" + Encoded(outer));
  ASSERT_TRUE(page_->EnterFrames({"#outer", "#login"}, Secs(10)).ok()) << "both frames have loaded";
  page_->LeaveFrames();
  auto html = page_->HtmlWithFrames(Secs(10));
  ASSERT_TRUE(html.ok()) << html.message();
  ExpectEveryDocumentOfTheNest(*html, outer, "<input id=\"user\">");
}

TEST_F(Frames, ABannerOverTheFramesPageIsWaitedOutAndNeverClicked) {
  Open("/frames/top?src=/frames/login&cover=500");
  LogInThrough({"#login"});
  EXPECT_EQ(page_->Evaluate("window.coverClicks || 0", Secs(5)).value(), 0);
}

TEST_F(Frames, ABannerOverTheFramesPageThatStaysIsNamed) {
  Open("/frames/top?src=/frames/login&cover=stay");
  ASSERT_TRUE(page_->EnterFrames({"#login"}, Secs(10)).ok());
  Status s = page_->Click("#go", Secs(3));  // the cover stays: any budget ends in its name
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("#lgpd covers #go"), std::string::npos) << s.message();
  page_->LeaveFrames();
  EXPECT_EQ(page_->Evaluate("window.coverClicks || 0", Secs(5)).value(), 0);
}

TEST_F(Frames, AFrameThatComesLateIsWaitedFor) {
  Open("/frames/top?src=/frames/login&late_ms=400");
  LogInThrough({"#login"});
}

TEST_F(Frames, AFrameThatReloadsMidWaitIsFollowedIntoItsNewDocument) {
  Open("/frames/top?src=/frames/login");
  ASSERT_TRUE(page_->EnterFrames({"#login"}, Secs(10)).ok());
  ASSERT_TRUE(page_->Click("#later", Secs(5)).ok());
  Status s = page_->WaitForText("postback feito", Secs(10));
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST_F(Frames, AMissingFrameIsNamedAndAnElementThatIsNoFrameToo) {
  Open("/frames/top?src=/frames/login");
  Status missing = page_->EnterFrames({"#nope"}, Secs(3));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.kind(), ErrorKind::kTimeout);
  EXPECT_NE(missing.message().find("for the frame \"#nope\" to exist and load"), std::string::npos) << missing.message();
  Status inner = page_->EnterFrames({"#login", "#deeper"}, Secs(3));
  ASSERT_FALSE(inner.ok());
  EXPECT_NE(inner.message().find("(inside #login)"), std::string::npos) << inner.message();
  Status not_frame = page_->EnterFrames({"p"}, Secs(5));
  ASSERT_FALSE(not_frame.ok());
  EXPECT_NE(not_frame.message().find("is a <p>, not an <iframe>"), std::string::npos) << not_frame.message();
  EXPECT_EQ(page_->scope().session_id, page_->session_id()) << "a failed entry leaves the page at the top";
}

}  // namespace
