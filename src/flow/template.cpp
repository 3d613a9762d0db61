#include "flow/template.h"

#include <cstdio>
#include <cstdlib>

#include "core/percent_encode.h"

namespace boletos::flow {
namespace {

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

// The value escaped for the inside of any JavaScript string literal
// ('...', "..." or `...`): every quote, backslash, '$' (no ${...} in a
// template literal), control character and line separator escaped. The
// value is UTF-8 (checked where it came in).
std::string JavaScriptInQuotes(const std::string& value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(value[i]);
    switch (c) {
      case '\\': out += "\\\\"; continue;
      case '\'': out += "\\'"; continue;
      case '"': out += "\\\""; continue;
      case '`': out += "\\`"; continue;
      case '$': out += "\\$"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\u%04X", c);
      out += hex;
    } else if (c == 0xE2 && i + 2 < value.size() && static_cast<unsigned char>(value[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(value[i + 2]) == 0xA8 || static_cast<unsigned char>(value[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(value[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string JavaScriptLiteral(const std::string& value) { return "\"" + JavaScriptInQuotes(value) + "\""; }

}  // namespace

Result<Template> Template::Parse(const std::string& text) {
  Template t;
  t.source_ = text;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string::npos) {
      t.parts_.push_back({false, text.substr(pos)});
      break;
    }
    if (open > pos) t.parts_.push_back({false, text.substr(pos, open - pos)});
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) {
      return MakeError(ErrorKind::kBadInput, "unclosed '{{' in \"" + text + "\": write {{name}}");
    }
    std::string name = Trim(text.substr(open + 2, close - open - 2));
    if (name.empty()) return MakeError(ErrorKind::kBadInput, "empty '{{}}' in \"" + text + "\"");
    t.parts_.push_back({true, name});
    t.names_.push_back(name);
    pos = close + 2;
  }
  return t;
}

std::string Template::Value(const std::string& n, const TemplateContext& ctx) const {
  if (n == "period") return ctx.period.ToString();
  if (n == "period_name") return ctx.period.MonthName();
  if (n.rfind("client.", 0) == 0) {
    if (!ctx.client) return "";
    auto it = ctx.client->find(n.substr(7));
    return it != ctx.client->end() ? it->second : "";
  }
  if (n.rfind("env.", 0) == 0) return ctx.env ? ctx.env(n.substr(4)).value_or("") : "";
  if (!ctx.vars) return "";
  auto it = ctx.vars->find(n);
  return it != ctx.vars->end() ? it->second : "";
}

std::string Template::Render(const TemplateContext& ctx, RenderFor where) const {
  std::string out;
  for (size_t i = 0; i < parts_.size(); ++i) {
    const Part& p = parts_[i];
    if (!p.is_name) {
      out += p.text;
      continue;
    }
    std::string value = Value(p.text, ctx);
    switch (where) {
      case RenderFor::kText: out += value; break;
      case RenderFor::kUrl: out += i == 0 ? value : PercentEncode(value); break;  // RFC 3986
      case RenderFor::kJavaScript: {
        // The quote right before the placeholder, if the same one follows it.
        char before = i > 0 && !parts_[i - 1].is_name && !parts_[i - 1].text.empty() ? parts_[i - 1].text.back() : 0;
        char after = i + 1 < parts_.size() && !parts_[i + 1].is_name && !parts_[i + 1].text.empty()
                         ? parts_[i + 1].text.front()
                         : 0;
        bool quoted = (before == '\'' || before == '"' || before == '`') && before == after;
        out += quoted ? JavaScriptInQuotes(value) : JavaScriptLiteral(value);
        break;
      }
    }
  }
  return out;
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

}  // namespace boletos::flow
