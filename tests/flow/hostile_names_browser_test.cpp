// A client whose data is code: a name that would close the script's string
// or the URL's query. In a real page it stays the client's name.

#include <gtest/gtest.h>

#include "browser_fixture.h"
#include "flow/flow_parser.h"
#include "flow/flow_runner.h"

using namespace boletos;
using namespace boletos::cdp;
using test_support::BrowserTest;
using test_support::Secs;

namespace {

class HostileNames : public BrowserTest {};

TEST_F(HostileNames, StayDataInEvalAndInAUrl) {
  const std::string flow_text =
      "vars:\n"
      "  base_url: " + site_.url("") + "\n"
      "client:\n"
      "  - goto: \"{{base_url}}/echo?name={{client.name}}\"\n"
      "  - eval: \"document.title = {{client.name}}; window.quoted = '{{client.name}}'; true\"\n"
      "  - print_pdf: {}\n"
      "output: \"{{client.id}}.pdf\"\n";
  auto flow = flow::ParseFlow(flow_text, "hostile.yaml", {});
  ASSERT_TRUE(flow.ok()) << flow.message();
  flow::FlowRunner runner(*flow, Period{2026, 12}, [](const std::string&) { return std::nullopt; });
  const std::string name = "'); document.title = 'pwned'; ('\" & admin=1#x";
  flow::Columns client = {{"id", "c1"}, {"name", name}};
  auto r = runner.RunClient(*page_, client, Out("c1.pdf"));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(page_->Evaluate("document.title", Secs(5)).value(), name);
  EXPECT_EQ(page_->Evaluate("window.quoted", Secs(5)).value(), name);
  // The portal got one parameter, the whole name.
  EXPECT_EQ(page_->Evaluate("document.getElementById('params').textContent", Secs(5)).value(), "1");
  EXPECT_EQ(page_->Evaluate("document.getElementById('name').textContent", Secs(5)).value(), name);
}

}  // namespace
