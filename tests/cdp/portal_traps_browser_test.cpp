// SPEC "Flow file", what click and fill do about real portals, on a real
// headless shell: a click waits until nothing covers its element (and never
// lands on the cover), or names the cover at its timeout; a fill types key
// by key, so masks format it, and fails naming what the field holds when
// the page changed it otherwise (never a password's value).

#include <gtest/gtest.h>

#include "browser_fixture.h"

using namespace boletos;
using test_support::BrowserTest;
using test_support::Secs;
using cdp::Json;

namespace {

class PortalTraps : public BrowserTest {
 protected:
  void Open(const std::string& path) { ASSERT_TRUE(page_->Navigate(site_.url(path), Secs(10)).ok()); }
  Json Eval(const std::string& js) {
    auto v = page_->Evaluate(js, Secs(5));
    EXPECT_TRUE(v.ok()) << v.message();
    return v.ok() ? *v : Json();
  }
};

TEST_F(PortalTraps, AClickWaitsUntilTheLoadingOverlayIsGoneAndNeverLandsOnIt) {
  Open("/covered?overlay_ms=400");
  ASSERT_TRUE(page_->Click("#go", Secs(10)).ok());
  EXPECT_EQ(Eval("document.title"), "clicked");
  EXPECT_EQ(Eval("window.overlayClicks || 0"), 0);
}

TEST_F(PortalTraps, AClickOnAnElementABannerKeepsCoveringNamesTheBanner) {
  Open("/covered?banner");
  Status s = page_->Click("#go", Secs(3));  // the cover stays: any budget ends in its name
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kTimeout);
  EXPECT_NE(s.message().find("#lgpd covers #go"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(site_.url("/covered?banner")), std::string::npos) << s.message();
  // The banner's own button is on top: clicking it clears the way.
  ASSERT_TRUE(page_->Click("#accept", Secs(5)).ok());
  ASSERT_TRUE(page_->Click("#go", Secs(5)).ok());
  EXPECT_EQ(Eval("document.title"), "clicked");
}

TEST_F(PortalTraps, AFillTypesThroughAKeydownMaskAndTheFormattedValueCounts) {
  Open("/masked");
  ASSERT_TRUE(page_->Fill("#cpf", "15881399803", Secs(5)).ok());
  EXPECT_EQ(Eval("document.getElementById('cpf').value"), "158.813.998-03");
  // Filling again replaces what is there, through the mask.
  ASSERT_TRUE(page_->Fill("#cpf", "987.973.091-76", Secs(5)).ok());
  EXPECT_EQ(Eval("document.getElementById('cpf').value"), "987.973.091-76");
  ASSERT_TRUE(page_->Fill("#date", "10122026", Secs(5)).ok());
  EXPECT_EQ(Eval("document.getElementById('date').value"), "10/12/2026");
}

TEST_F(PortalTraps, AFieldThePageCutsFailsTheFillNamingWhatItHolds) {
  Open("/masked");
  Status s = page_->Fill("#short", "Ana Souza", Secs(5));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kPortalError);
  EXPECT_NE(s.message().find("typed \"Ana Souza\" into \"#short\" but it holds \"Ana S\""), std::string::npos)
      << s.message();
}

TEST_F(PortalTraps, APasswordFieldThePageChangesIsReportedWithoutItsValue) {
  Open("/masked");
  Status s = page_->Fill("#pin", "1234", Secs(5));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("the password field \"#pin\" holds 3 characters after 4 were typed"), std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find("123"), std::string::npos) << s.message();
}

TEST_F(PortalTraps, AccentedLettersArriveAsTyped) {
  Open("/masked");
  ASSERT_TRUE(page_->Fill("#date", "", Secs(5)).ok());
  ASSERT_TRUE(page_->Fill("#pin", "", Secs(5)).ok());
  // #short keeps five characters: these five, accents included.
  ASSERT_TRUE(page_->Fill("#short", "João", Secs(5)).ok());
  EXPECT_EQ(Eval("document.getElementById('short').value"), "João");
}

}  // namespace
