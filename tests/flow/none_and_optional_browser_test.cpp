// The client steps' two ways past the happy path, on a real headless shell:
// `none_if` ends them when the portal says there is no slip (the outcome
// names the step, never the client's data), and `optional: true` lets a step
// that finds nothing be skipped, while the same step without it fails the
// client naming the step and its line.

#include <gtest/gtest.h>

#include "browser_fixture.h"
#include "flow/flow_parser.h"
#include "flow/flow_runner.h"

using namespace boletos;
using test_support::BrowserTest;
namespace fs = std::filesystem;

namespace {

class NoneAndOptional : public BrowserTest {
 protected:
  // A flow whose client opens /echo with the client's name shown on the page.
  flow::Flow FlowWith(const std::string& middle_steps) {
    const std::string text =
        "vars:\n"
        "  base_url: " + site_.url("") + "\n"
        "client:\n"
        "  - goto: \"{{base_url}}/echo?name={{client.name}}\"\n" +
        middle_steps +
        "  - print_pdf: {}\n"
        "output: \"{{client.id}}.pdf\"\n";
    auto flow = flow::ParseFlow(text, "portal.yaml", {});
    EXPECT_TRUE(flow.ok()) << flow.message();
    return flow.ok() ? *flow : flow::Flow{};
  }

  Result<flow::ClientOutcome> Play(const flow::Flow& flow, const std::string& name) {
    flow::FlowRunner runner(flow, Period{2026, 12}, [](const std::string&) { return std::nullopt; });
    flow::Columns client = {{"id", "c1"}, {"name", name}};
    return runner.RunClient(*page_, client, Out("c1.pdf"));
  }
};

TEST_F(NoneAndOptional, NoneIfTextOnThePageEndsTheStepsWithNoSlipAndNoFile) {
  auto flow = FlowWith("  - none_if: { text: \"Nenhum boleto em aberto\" }\n");
  auto r = Play(flow, "Nenhum boleto em aberto para Ana");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->no_slip, "none_if text Nenhum boleto em aberto (portal.yaml:5)");
  EXPECT_FALSE(fs::exists(Out("c1.pdf"))) << "the print after none_if must not have run";
}

TEST_F(NoneAndOptional, NoneIfThatDoesNotMatchLetsTheStepsGoOnToTheSlip) {
  auto flow = FlowWith("  - none_if: { text: \"Nenhum boleto em aberto\" }\n"
                       "  - none_if: \".sem-boleto\"\n");
  auto r = Play(flow, "Ana Souza");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->no_slip, "");
  EXPECT_TRUE(fs::exists(Out("c1.pdf")));
}

TEST_F(NoneAndOptional, NoneIfBySelectorLooksNowWithoutWaiting) {
  auto flow = FlowWith("  - none_if: { selector: \"#name\", timeout: 5s }\n");
  auto r = Play(flow, "Ana");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->no_slip, "none_if #name (portal.yaml:5)");
}

TEST_F(NoneAndOptional, AnInvalidNoneIfSelectorFailsTheClientNamingTheStep) {
  auto flow = FlowWith("  - none_if: \"div[\"\n");
  auto r = Play(flow, "Ana");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("step `none_if div[` (portal.yaml:5) failed"), std::string::npos) << r.message();
}

TEST_F(NoneAndOptional, AnOptionalStepThatFindsNothingIsSkippedAndTheSlipStillComes) {
  auto flow = FlowWith("  - click: \"#lgpd-accept\"\n"
                       "    optional: true\n"
                       "    timeout: 500ms\n");
  auto r = Play(flow, "Ana");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_TRUE(fs::exists(Out("c1.pdf")));
}

TEST_F(NoneAndOptional, TheSameStepNotOptionalFailsTheClientNamingItsLine) {
  auto flow = FlowWith("  - click: \"#lgpd-accept\"\n"
                       "    timeout: 500ms\n");
  auto r = Play(flow, "Ana");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("step `click #lgpd-accept` (portal.yaml:5) failed"), std::string::npos) << r.message();
  EXPECT_FALSE(fs::exists(Out("c1.pdf")));
}

// A failed step says where the tab was (issue 20), once.
TEST_F(NoneAndOptional, AFailedStepNamesThePagesUrlAndTitle) {
  auto flow = FlowWith("  - eval: \"document.title = 'Consulta de parcelas'\"\n"
                       "  - wait_for: { text: \"Nunca aparece\", timeout: 500ms }\n");
  auto r = Play(flow, "Ana");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("step `wait_for text Nunca aparece` (portal.yaml:6) failed: waited 500ms for the "
                             "text \"Nunca aparece\" to appear; the page was " +
                             site_.url("/echo?name=Ana") + " (\"Consulta de parcelas\")"),
            std::string::npos)
      << r.message();
}

}  // namespace

namespace {

// No browser needed: what a protected slip is opened with.
TEST(PdfPasswords, TheRenderedPasswordThenItsDigitsAlone) {
  auto flow = flow::ParseFlow("client:\n  - print_pdf: {}\npdf_password: \"{{client.document}}\"\n", "p.yaml", {});
  ASSERT_TRUE(flow.ok()) << flow.message();
  flow::FlowRunner runner(*flow, Period{2026, 12}, [](const std::string&) { return std::nullopt; });
  EXPECT_EQ(runner.PdfPasswords({{"id", "a"}, {"document", "158.813.998-03"}}),
            (std::vector<std::string>{"158.813.998-03", "15881399803"}));
  EXPECT_EQ(runner.PdfPasswords({{"id", "b"}, {"document", "15881399803"}}), (std::vector<std::string>{"15881399803"}));
  auto none = flow::ParseFlow("client:\n  - print_pdf: {}\n", "p.yaml", {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(flow::FlowRunner(*none, Period{2026, 12}, [](const std::string&) { return std::nullopt; })
                  .PdfPasswords({{"id", "a"}})
                  .empty());
}

}  // namespace
