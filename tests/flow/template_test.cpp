// Templates rendered for where they go: a client's data stays data.

#include "flow/template.h"

#include <gtest/gtest.h>

using namespace boletos;
using namespace boletos::flow;

namespace {

std::string Render(const std::string& text, const std::string& name, RenderFor where) {
  std::map<std::string, std::string> client = {{"name", name}};
  std::map<std::string, std::string> vars = {{"base_url", "http://127.0.0.1:8089/portal"}};
  TemplateContext ctx;
  ctx.client = &client;
  ctx.vars = &vars;
  ctx.period = Period{2026, 12};
  auto t = Template::Parse(text);
  EXPECT_TRUE(t.ok()) << t.message();
  return t->Render(ctx, where);
}

TEST(Template, TextIsAsItIs) {
  EXPECT_EQ(Render("#cpf-{{client.name}}", "a'b\"c", RenderFor::kText), "#cpf-a'b\"c");
}

TEST(Template, InJavaScriptAValueIsAStringLiteral) {
  EXPECT_EQ(Render("f({{client.name}})", "Ana", RenderFor::kJavaScript), "f(\"Ana\")");
  EXPECT_EQ(Render("f({{client.name}})", "'); fetch('//x')//", RenderFor::kJavaScript),
            "f(\"\\'); fetch(\\'//x\\')//\")");
}

TEST(Template, InJavaScriptBetweenQuotesAValueIsEscapedForThem) {
  EXPECT_EQ(Render("f('{{client.name}}')", "'); fetch('//x')//", RenderFor::kJavaScript),
            "f('\\'); fetch(\\'//x\\')//')");
  EXPECT_EQ(Render("f(\"{{client.name}}\")", "a\"b\\c", RenderFor::kJavaScript), "f(\"a\\\"b\\\\c\")");
  EXPECT_EQ(Render("f(`{{client.name}}`)", "${alert(1)}`", RenderFor::kJavaScript), "f(`\\${alert(1)}\\``)");
  EXPECT_EQ(Render("f('{{client.name}}')", "a\nb\x01\xE2\x80\xA8", RenderFor::kJavaScript),
            "f('a\\nb\\u0001\\u2028')");
  // Quotes that do not enclose it alone do not count.
  EXPECT_EQ(Render("f('x{{client.name}}')", "Ana", RenderFor::kJavaScript), "f('x\"Ana\"')");
}

TEST(Template, InAUrlAValueIsPercentEncodedButALeadingOneIsTheUrl) {
  EXPECT_EQ(Render("{{base_url}}/search?name={{client.name}}&p={{period}}", "Ana & Bia/?#=1", RenderFor::kUrl),
            "http://127.0.0.1:8089/portal/search?name=Ana%20%26%20Bia%2F%3F%23%3D1&p=2026-12");
  EXPECT_EQ(Render("{{base_url}}", "x", RenderFor::kUrl), "http://127.0.0.1:8089/portal");
  EXPECT_EQ(Render("/a?n={{client.name}}", "João.Silva-_~", RenderFor::kUrl), "/a?n=Jo%C3%A3o.Silva-_~");
}

}  // namespace
