// The flow parser and the checks made before a run, without a browser:
// a good flow reads into its steps; every mistake is kBadInput and names
// the file and line, and what to write instead; {{client.X}} is checked
// against the clients' columns and {{env.X}} against the environment.

#include "flow/flow_parser.h"

#include <gtest/gtest.h>

using namespace boletos;
using namespace boletos::flow;

namespace {

const char* kGood = R"(vars:
  base_url: http://127.0.0.1:8089
login:
  check: "#logout"
  steps:
    - goto: "{{base_url}}/login"
    - fill: { selector: "#user", value: "{{env.PORTAL_USER}}" }
    - click: "button[type=submit]"
client:
  - goto: "{{base_url}}/search?period={{period}}"
  - fill: { selector: "#cpf", value: "{{client.document}}" }
  - wait_for: { selector: "a.boleto", timeout: 20s }
  - download: { click: "a.boleto", html: print }
output: "{{client.name}}_{{client.plan}}.pdf"
)";

Result<Flow> Parse(const std::string& text, std::map<std::string, std::string> vars = {}) {
  return ParseFlow(text, "flow.yaml", vars);
}

// The error of text, which must be kBadInput.
std::string ErrorOf(const std::string& text) {
  auto flow = Parse(text);
  EXPECT_FALSE(flow.ok());
  if (flow.ok()) return "";
  EXPECT_EQ(flow.error().kind, ErrorKind::kBadInput);
  return flow.message();
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST(FlowParser, AGoodFlowReadsIntoItsStepsAndVarsTheCommandLineOverrides) {
  auto flow = Parse(kGood, {{"base_url", "http://portal.test"}});
  ASSERT_TRUE(flow.ok()) << flow.message();
  EXPECT_EQ(flow->login_steps.size(), 3u);
  EXPECT_EQ(flow->client_steps.size(), 4u);
  EXPECT_TRUE(flow->login_check.has_value());
  EXPECT_EQ(flow->vars.at("base_url"), "http://portal.test");
  EXPECT_TRUE(flow->client_steps.back().print_html);
  EXPECT_EQ(flow->client_steps[2].timeout, std::chrono::seconds(20));
}

TEST(FlowParser, EveryMistakeNamesTheFileAndItsLine) {
  // An unknown step on line 11.
  std::string unknown = ErrorOf(Replace(kGood, "  - fill: { selector: \"#cpf\"", "  - type: { selector: \"#cpf\""));
  EXPECT_EQ(unknown.rfind("flow.yaml:11:", 0), 0u) << unknown;
  EXPECT_NE(unknown.find("unknown step `type`"), std::string::npos) << unknown;
  // Two actions in one step.
  std::string two = ErrorOf(Replace(kGood, "  - click: \"button[type=submit]\"", "  - { click: \"#a\", goto: \"/x\" }"));
  EXPECT_EQ(two.rfind("flow.yaml:8:", 0), 0u) << two;
  EXPECT_NE(two.find("use two steps"), std::string::npos) << two;
  // A template name nobody knows.
  std::string name = ErrorOf(Replace(kGood, "{{period}}", "{{perido}}"));
  EXPECT_EQ(name.rfind("flow.yaml:10:", 0), 0u) << name;
  EXPECT_NE(name.find("unknown template name {{perido}}"), std::string::npos) << name;
  // A YAML syntax error, where the YAML parser saw it (the unclosed list
  // opened on line 14 is noticed at the end, line 15), with its column.
  std::string yaml = ErrorOf(Replace(kGood, "output: \"{{client.name}}", "output: [\"{{client.name}}"));
  EXPECT_EQ(yaml.rfind("flow.yaml:15:1: YAML syntax error", 0), 0u) << yaml;
}

TEST(FlowParser, ClientStepsMustEndInExactlyOneDownload) {
  std::string none = ErrorOf(Replace(kGood, "  - download: { click: \"a.boleto\", html: print }\n", ""));
  EXPECT_NE(none.find("must end in a download or print_pdf step"), std::string::npos) << none;
  std::string two = ErrorOf(Replace(kGood, "  - download: { click: \"a.boleto\", html: print }\n",
                                    "  - download: { click: \"a.boleto\" }\n  - download: { url: \"/x.pdf\" }\n"));
  EXPECT_NE(two.find("exactly one download or print_pdf step"), std::string::npos) << two;
  std::string both = ErrorOf(Replace(kGood, "{ click: \"a.boleto\", html: print }", "{ click: \"a\", url: \"/b\" }"));
  EXPECT_NE(both.find("`click` or `url`, not both"), std::string::npos) << both;
}

TEST(FlowParser, AnEmptyFileAndAMissingFileSayWhatToDo) {
  EXPECT_NE(ErrorOf("").find("the flow file is empty"), std::string::npos);
  auto missing = LoadFlowFile("/nonexistent/flow.yaml", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("pass --flow"), std::string::npos) << missing.message();
}

TEST(ClientColumns, AColumnTheClientsLackIsNamedWithItsLineAndTheColumnsThereAre) {
  auto flow = Parse(kGood);
  ASSERT_TRUE(flow.ok()) << flow.message();
  EXPECT_TRUE(CheckClientColumns(*flow, {"id", "name", "document", "plan"}).ok());
  Status missing = CheckClientColumns(*flow, {"id", "name", "document", "email"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.kind(), ErrorKind::kBadInput);
  EXPECT_NE(missing.message().find("flow.yaml:14"), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find("plan"), std::string::npos) << missing.message();
  EXPECT_NE(missing.message().find("email"), std::string::npos) << "the columns there are: " << missing.message();
}

TEST(EnvCheck, EveryMissingVariableIsListedAndItsValuesAreSecrets) {
  auto flow = Parse(kGood);
  ASSERT_TRUE(flow.ok()) << flow.message();
  Status missing = CheckEnv(*flow, [](const std::string&) { return std::nullopt; });
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("PORTAL_USER"), std::string::npos) << missing.message();
  EnvLookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "PORTAL_USER") return std::string("maria.s3cret");
    return std::nullopt;
  };
  EXPECT_TRUE(CheckEnv(*flow, env).ok());
  Redactor redactor;
  AddSecrets(*flow, env, redactor);
  EXPECT_EQ(redactor.Redact("user maria.s3cret logged in").find("maria.s3cret"), std::string::npos);
}
