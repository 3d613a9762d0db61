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

TEST(FlowParser, OptionalStepsAndNoneIfReadIntoTheirSteps) {
  auto flow = Parse(Replace(kGood, "  - wait_for: { selector: \"a.boleto\", timeout: 20s }\n",
                            "  - click: \"#lgpd\"\n    optional: true\n    timeout: 2s\n"
                            "  - none_if: { text: \"Nenhum boleto em aberto\" }\n"
                            "  - none_if: \"tr.sem-boleto\"\n"));
  ASSERT_TRUE(flow.ok()) << flow.message();
  ASSERT_EQ(flow->client_steps.size(), 6u);
  const Step& banner = flow->client_steps[2];
  EXPECT_EQ(banner.kind, StepKind::kClick);
  EXPECT_TRUE(banner.optional);
  EXPECT_EQ(banner.timeout, std::chrono::milliseconds(2000));
  EXPECT_FALSE(flow->client_steps[1].optional);
  EXPECT_EQ(flow->client_steps[3].kind, StepKind::kNoneIf);
  EXPECT_EQ(flow->client_steps[3].wait, WaitKind::kText);
  EXPECT_EQ(flow->client_steps[3].Describe(), "none_if text Nenhum boleto em aberto");
  EXPECT_EQ(flow->client_steps[4].wait, WaitKind::kSelector);
  EXPECT_EQ(flow->client_steps[4].Describe(), "none_if tr.sem-boleto");
}

TEST(FlowParser, OptionalAndNoneIfMistakesNameTheirLine) {
  // optional takes true or false (line 11).
  std::string flag = ErrorOf(Replace(kGood, "  - fill: { selector: \"#cpf\", value: \"{{client.document}}\" }\n",
                                     "  - fill: { selector: \"#cpf\", value: \"{{client.document}}\" }\n"
                                     "    optional: maybe\n"));
  EXPECT_EQ(flag.rfind("flow.yaml:12:", 0), 0u) << flag;
  EXPECT_NE(flag.find("optional must be true or false, not `maybe`"), std::string::npos) << flag;
  // The slip's own step cannot be skipped (line 13).
  std::string download = ErrorOf(Replace(kGood, "  - download: { click: \"a.boleto\", html: print }\n",
                                         "  - download: { click: \"a.boleto\", html: print }\n    optional: true\n"));
  EXPECT_EQ(download.rfind("flow.yaml:13:", 0), 0u) << download;
  EXPECT_NE(download.find("download cannot be optional"), std::string::npos) << download;
  // none_if looks at the page now: it has no url_contains (line 12).
  std::string url = ErrorOf(Replace(kGood, "  - wait_for: { selector: \"a.boleto\", timeout: 20s }\n",
                                    "  - none_if: { url_contains: \"/vazio\" }\n"));
  EXPECT_EQ(url.rfind("flow.yaml:12:", 0), 0u) << url;
  EXPECT_NE(url.find("none_if has no field `url_contains`"), std::string::npos) << url;
  // A client with no slip is a client's matter, not the login's (line 8).
  std::string login = ErrorOf(Replace(kGood, "  - click: \"button[type=submit]\"", "  - none_if: \"#vazio\""));
  EXPECT_EQ(login.rfind("flow.yaml:8:", 0), 0u) << login;
  EXPECT_NE(login.find("none_if belongs in the client steps"), std::string::npos) << login;
}

TEST(FlowParser, AFrameIsOneSelectorOrAPathOfThemOnStepsThatActOnAnElement) {
  auto flow = Parse(Replace(Replace(kGood, "    - fill: { selector: \"#user\", value: \"{{env.PORTAL_USER}}\" }\n",
                                    "    - fill: { selector: \"#user\", value: \"{{env.PORTAL_USER}}\" }\n"
                                    "      frame: \"iframe#login\"\n"),
                            "    - click: \"button[type=submit]\"\n",
                            "    - click: \"button[type=submit]\"\n      frame: [\"#outer\", \"iframe[name={{client.plan}}]\"]\n"));
  ASSERT_TRUE(flow.ok()) << flow.message();
  ASSERT_EQ(flow->login_steps[1].frames.size(), 1u);
  EXPECT_EQ(flow->login_steps[1].frames[0].source(), "iframe#login");
  ASSERT_EQ(flow->login_steps[2].frames.size(), 2u);
  EXPECT_EQ(flow->login_steps[2].frames[1].source(), "iframe[name={{client.plan}}]");
  EXPECT_TRUE(flow->TemplateNames().count("client.plan"));

  // A goto has no element to act on (line 11).
  std::string on_goto = ErrorOf(Replace(kGood, "  - fill: { selector: \"#cpf\", value: \"{{client.document}}\" }\n",
                                        "  - goto: \"/x\"\n    frame: \"#login\"\n"));
  EXPECT_EQ(on_goto.rfind("flow.yaml:12:", 0), 0u) << on_goto;
  EXPECT_NE(on_goto.find("frame does not apply to goto"), std::string::npos) << on_goto;
  std::string empty = ErrorOf(Replace(kGood, "    - click: \"button[type=submit]\"\n",
                                      "    - click: \"button[type=submit]\"\n      frame: []\n"));
  EXPECT_NE(empty.find("frame is an empty list"), std::string::npos) << empty;
}

TEST(FlowParser, APdfPasswordIsATemplateCheckedLikeTheOthers) {
  auto flow = Parse(std::string(kGood) + "pdf_password: \"{{client.document}}\"\n");
  ASSERT_TRUE(flow.ok()) << flow.message();
  ASSERT_TRUE(flow->pdf_password.has_value());
  EXPECT_EQ(flow->pdf_password->source(), "{{client.document}}");
  std::string unknown = ErrorOf(std::string(kGood) + "pdf_password: \"{{cpf}}\"\n");
  EXPECT_EQ(unknown.rfind("flow.yaml:15:", 0), 0u) << unknown;
  EXPECT_NE(unknown.find("unknown template name {{cpf}}"), std::string::npos) << unknown;
}

TEST(FlowParser, SessionsAreSharedOrPerTab) {
  EXPECT_FALSE(Parse(kGood)->sessions_per_tab);
  auto per_tab = Parse(std::string(kGood) + "sessions: per_tab\n");
  ASSERT_TRUE(per_tab.ok()) << per_tab.message();
  EXPECT_TRUE(per_tab->sessions_per_tab);
  std::string bad = ErrorOf(std::string(kGood) + "sessions: private\n");
  EXPECT_EQ(bad.rfind("flow.yaml:15:", 0), 0u) << bad;
  EXPECT_NE(bad.find("sessions is `shared` or `per_tab`, not `private`"), std::string::npos) << bad;
}

TEST(FlowParser, ABlockListHoldsResourceTypesAndUrlPatterns) {
  auto flow = Parse(std::string(kGood) + "block: [image, font, \"*.doubleclick.net/*\"]\n");
  ASSERT_TRUE(flow.ok()) << flow.message();
  EXPECT_EQ(flow->block_types, (std::vector<std::string>{"Image", "Font"}));
  EXPECT_EQ(flow->block_urls, (std::vector<std::string>{"*.doubleclick.net/*"}));
  std::string bad = ErrorOf(std::string(kGood) + "block: [images]\n");
  EXPECT_EQ(bad.rfind("flow.yaml:15:", 0), 0u) << bad;
  EXPECT_NE(bad.find("block takes image, font, media, stylesheet or a URL pattern"), std::string::npos) << bad;
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
