#include "flow/template.h"

#include <cstdlib>

namespace boletos::flow {
namespace {

std::string Trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t");
  return s.substr(a, b - a + 1);
}

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

std::string Template::Render(const TemplateContext& ctx) const {
  std::string out;
  for (const Part& p : parts_) {
    if (!p.is_name) {
      out += p.text;
      continue;
    }
    const std::string& n = p.text;
    if (n == "period") {
      out += ctx.period.ToString();
    } else if (n == "period_name") {
      out += ctx.period.MonthName();
    } else if (n.rfind("client.", 0) == 0) {
      if (ctx.client) {
        auto it = ctx.client->find(n.substr(7));
        if (it != ctx.client->end()) out += it->second;
      }
    } else if (n.rfind("env.", 0) == 0) {
      if (ctx.env) out += ctx.env(n.substr(4)).value_or("");
    } else if (ctx.vars) {
      auto it = ctx.vars->find(n);
      if (it != ctx.vars->end()) out += it->second;
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
