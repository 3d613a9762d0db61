// A page's JavaScript dialogs, against the real headless shell: each is
// answered at once (the tab never blocks) and remembered for the step.

#include <gtest/gtest.h>

#include "browser_fixture.h"

using namespace boletos;
using namespace boletos::cdp;
using test_support::BrowserTest;
using test_support::Secs;

namespace {

class Dialogs : public BrowserTest {};

TEST_F(Dialogs, AnAlertIsDismissedAndTheTabGoesOn) {
  ASSERT_TRUE(page_->Navigate(site_.url("/dialogs"), Secs(10)).ok());
  ASSERT_TRUE(page_->Click("#alert", Secs(5)).ok());
  Status after = page_->WaitForText("after alert", Secs(5));
  EXPECT_TRUE(after.ok()) << after.message();
  EXPECT_EQ(page_->TakeDialogs(), std::vector<std::string>{"alert \"Sessão expirada\""});
  EXPECT_TRUE(page_->TakeDialogs().empty()) << "Take() forgets what it returned";
}

TEST_F(Dialogs, AConfirmIsAnsweredNoAndAPromptIsDismissed) {
  ASSERT_TRUE(page_->Navigate(site_.url("/dialogs"), Secs(10)).ok());
  ASSERT_TRUE(page_->Click("#confirm", Secs(5)).ok());
  Status confirmed = page_->WaitForText("confirm=false", Secs(5));
  EXPECT_TRUE(confirmed.ok()) << confirmed.message();
  ASSERT_TRUE(page_->Click("#prompt", Secs(5)).ok());
  Status prompted = page_->WaitForText("prompt=null", Secs(5));
  EXPECT_TRUE(prompted.ok()) << prompted.message();
  EXPECT_EQ(page_->TakeDialogs(), (std::vector<std::string>{"confirm \"Continuar?\"", "prompt \"Nome?\""}));
}

TEST_F(Dialogs, ABeforeUnloadNeverHoldsUpANavigation) {
  ASSERT_TRUE(page_->Navigate(site_.url("/dialogs"), Secs(10)).ok());
  // A click gives the page the user activation Chromium wants before it
  // shows a beforeunload dialog at all.
  ASSERT_TRUE(page_->Click("#confirm", Secs(5)).ok());
  ASSERT_TRUE(page_->WaitForText("confirm=false", Secs(5)).ok());
  auto left = page_->Navigate(site_.url("/form"), Secs(5));
  ASSERT_TRUE(left.ok()) << left.message();
  EXPECT_TRUE(page_->WaitForSelector("#name", Secs(5)).ok());
  auto dialogs = page_->TakeDialogs();
  ASSERT_EQ(dialogs.size(), 2u);
  EXPECT_EQ(dialogs[1].rfind("beforeunload", 0), 0u) << dialogs[1];
}

TEST_F(Dialogs, AnAlertDuringTheLoadDoesNotHoldUpTheLoadEvent) {
  auto loaded = page_->Navigate(site_.url("/alert-on-load"), Secs(5));
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  EXPECT_TRUE(page_->WaitForSelector("#after", Secs(5)).ok());
  EXPECT_EQ(page_->TakeDialogs(), std::vector<std::string>{"alert \"Bem-vindo\""});
}

}  // namespace
