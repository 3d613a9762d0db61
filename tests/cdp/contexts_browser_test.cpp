// SPEC "Flow file", sessions: per_tab: a tab in a browser context of its own
// shares no cookies with the others (a portal that keeps "the current
// client" in the session cannot mix two tabs up), still downloads into the
// browser's folder, and its context goes with it. On a real headless shell.

#include <gtest/gtest.h>

#include "browser_fixture.h"

using namespace boletos;
using test_support::BrowserTest;
using test_support::Secs;
using cdp::Json;

namespace {

class Contexts : public BrowserTest {
 protected:
  std::unique_ptr<cdp::Page> Tab(bool own_context) {
    auto p = browser_->NewPage(Secs(10), own_context);
    EXPECT_TRUE(p.ok()) << p.message();
    return p.ok() ? std::move(*p) : nullptr;
  }
  static std::string Cookie(cdp::Page& page) {
    auto v = page.Evaluate("document.cookie", Secs(5));
    return v.ok() && v->is_string() ? v->get<std::string>() : "?";
  }
  int Contexts_() {
    auto r = page_->connection().Call("Target.getBrowserContexts", Json::object(), "", Secs(5));
    EXPECT_TRUE(r.ok()) << r.message();
    return r.ok() && (*r)["browserContextIds"].is_array() ? static_cast<int>((*r)["browserContextIds"].size()) : -1;
  }
};

TEST_F(Contexts, TabsOfTheirOwnShareNoCookiesAndSharedTabsDo) {
  auto a = Tab(true), b = Tab(true), shared = Tab(false);
  ASSERT_TRUE(a && b && shared);
  for (auto* p : {a.get(), b.get(), shared.get(), page_.get()}) {
    ASSERT_TRUE(p->Navigate(site_.url("/form"), Secs(10)).ok());
  }
  ASSERT_TRUE(a->Evaluate("document.cookie = 'client=A'", Secs(5)).ok());
  ASSERT_TRUE(page_->Evaluate("document.cookie = 'client=D'", Secs(5)).ok());
  EXPECT_EQ(Cookie(*a), "client=A");
  EXPECT_EQ(Cookie(*b), "") << "another context's cookie leaked in";
  EXPECT_EQ(Cookie(*shared), "client=D") << "tabs of the default context share their cookies";
}

TEST_F(Contexts, ATabOfItsOwnDownloadsIntoTheBrowsersFolder) {
  auto tab = Tab(true);
  ASSERT_TRUE(tab);
  ASSERT_TRUE(tab->Navigate(site_.url("/links"), Secs(10)).ok());
  auto r = tab->Download(cdp::DownloadAction::Click("#attachment"), Out("own.pdf"), false, Secs(20));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(test_support::ReadAll(Out("own.pdf")), test_support::TestSite::PdfBytes());
}

TEST_F(Contexts, AContextGoesWithItsTab) {
  int before = Contexts_();
  {
    auto tab = Tab(true);
    ASSERT_TRUE(tab);
    EXPECT_EQ(Contexts_(), before + 1);
  }
  EXPECT_EQ(Contexts_(), before);
}

}  // namespace
