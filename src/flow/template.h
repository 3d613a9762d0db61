#pragma once
// Template: a string with {{name}} placeholders, parsed once. Names are
// client.id, client.name, client.document, client.COLUMN, period,
// period_name, env.NAME and the keys under the flow's `vars`. Whether a
// name is known is checked when the flow loads, before anything runs.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/period.h"
#include "core/result.h"

namespace boletos::flow {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The values a template can take one run and one client at a time.
struct TemplateContext {
  const std::map<std::string, std::string>* client = nullptr;  // the client's columns
  const std::map<std::string, std::string>* vars = nullptr;
  Period period;
  EnvLookup env;
};

// Where a rendered template goes, which decides how a value is written so
// that a client's data stays data (SPEC "Templates"):
//   kText        as it is (selectors, fill values, file names);
//   kJavaScript  as a string literal: "value" with JSON escapes, or, when
//                the placeholder already stands between quotes ('{{x}}',
//                "{{x}}", `{{x}}`), escaped for those quotes;
//   kUrl         percent-encoded (RFC 3986 unreserved kept), except a
//                placeholder that starts the template ({{base_url}}/...),
//                which is the URL itself and stays as written.
enum class RenderFor { kText, kJavaScript, kUrl };

class Template {
 public:
  Template() = default;
  // An unclosed "{{" or an empty name is kBadInput.
  static Result<Template> Parse(const std::string& text);

  // Unknown names render empty: they were rejected at load time.
  std::string Render(const TemplateContext& ctx, RenderFor where = RenderFor::kText) const;
  const std::vector<std::string>& names() const { return names_; }
  const std::string& source() const { return source_; }
  bool empty() const { return source_.empty(); }

 private:
  struct Part {
    bool is_name;
    std::string text;
  };
  std::string Value(const std::string& name, const TemplateContext& ctx) const;
  std::string source_;
  std::vector<Part> parts_;
  std::vector<std::string> names_;
};

// The process environment, for real runs.
EnvLookup ProcessEnv();

}  // namespace boletos::flow
