// SPEC "Flow file": a page that asks for a human stops the run (exit 4).
// Here, on a real headless shell: a step that fails on such a page fails
// with kHumanNeeded, naming the widget, the page and the step; the same
// failure on an ordinary page stays the step's own error. Each widget is
// recognised from the DOM alone (the pages are offline: no script loads).

#include <gtest/gtest.h>

#include "browser_fixture.h"
#include "flow/flow_parser.h"
#include "flow/flow_runner.h"

using namespace boletos;
using test_support::BrowserTest;

namespace {

struct Challenge {
  const char* name;
  const char* html;  // the page's markup, as a data: URL's body
  const char* says;  // what the error names
};

// For test names and failure messages (gtest would print raw bytes).
void PrintTo(const Challenge& c, std::ostream* os) { *os << c.name; }

class HumanCheck : public BrowserTest, public ::testing::WithParamInterface<Challenge> {
 protected:
  Result<flow::ClientOutcome> Play(const std::string& page_html) {
    const std::string text =
        "client:\n"
        "  - goto: \"data:text/html," + page_html + "\"\n"
        "  - wait_for: { selector: \"#logout\", timeout: 300ms }\n"
        "  - print_pdf: {}\n";
    auto flow = flow::ParseFlow(text, "portal.yaml", {});
    EXPECT_TRUE(flow.ok()) << flow.message();
    if (!flow.ok()) return flow.error();
    flow_ = *flow;
    flow::FlowRunner runner(flow_, Period{2026, 12}, [](const std::string&) { return std::nullopt; });
    return runner.RunClient(*page_, {{"id", "c1"}, {"name", "Ana"}}, Out("c1.pdf"));
  }
  flow::Flow flow_;
};

TEST_P(HumanCheck, AStepThatFailsOnTheChallengeStopsForAHuman) {
  auto r = Play(GetParam().html);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kHumanNeeded) << r.message();
  EXPECT_NE(r.message().find(std::string("the portal asks for a human: ") + GetParam().says + " on data:text/html"),
            std::string::npos)
      << r.message();
  EXPECT_NE(r.message().find("at step `wait_for #logout` (portal.yaml:3)"), std::string::npos) << r.message();
}

INSTANTIATE_TEST_SUITE_P(
    EveryKind, HumanCheck,
    ::testing::Values(
        Challenge{"recaptcha", "<title>Entrar</title><div class='g-recaptcha' data-sitekey='x'></div>", "reCAPTCHA"},
        Challenge{"recaptcha_frame", "<iframe src='https://www.google.com/recaptcha/api2/anchor?k=x'></iframe>",
                  "reCAPTCHA"},
        Challenge{"hcaptcha", "<div class='h-captcha' data-sitekey='x'></div>", "hCaptcha"},
        Challenge{"turnstile", "<div class='cf-turnstile' data-sitekey='x'></div>", "Cloudflare Turnstile"},
        Challenge{"just_a_moment", "<title>Just a moment...</title><p>Checking your browser</p>",
                  "a Cloudflare \"Just a moment\" challenge"},
        Challenge{"in_a_login_frame",
                  "<title>Entrar</title><iframe srcdoc='<div class=g-recaptcha data-sitekey=x></div>'></iframe>",
                  "reCAPTCHA"}),
    [](const ::testing::TestParamInfo<Challenge>& info) { return std::string(info.param.name); });

class OrdinaryPage : public HumanCheck {};

TEST_F(OrdinaryPage, AFailureThereStaysTheStepsOwn) {
  auto r = Play("<title>Entrar</title><form><input id='user'></form><p>recaptcha is mentioned, not shown</p>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kTimeout) << r.message();
  EXPECT_NE(r.message().find("step `wait_for #logout` (portal.yaml:3) failed"), std::string::npos) << r.message();
}

}  // namespace
