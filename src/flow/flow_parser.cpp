#include "flow/flow_parser.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/duration.h"
#include "core/utf8.h"

namespace boletos::flow {
namespace {

// Thrown inside this file only, with the line; ParseFlow turns it into a Result.
struct FlowError {
  int line;
  std::string message;
};

int LineOf(const YAML::Node& n) { return n.Mark().line + 1; }

[[noreturn]] void Fail(const YAML::Node& n, const std::string& message) { throw FlowError{LineOf(n), message}; }

std::string Scalar(const YAML::Node& n, const std::string& what) {
  if (!n || n.IsNull()) Fail(n, what + " is empty");
  if (!n.IsScalar()) Fail(n, what + " must be a text value, not a list or a map");
  return n.as<std::string>();
}

class StepParser {
 public:
  explicit StepParser(const std::set<std::string>& var_names) : var_names_(var_names) {}

  Template MakeTemplate(const YAML::Node& n, const std::string& what) {
    std::string text = Scalar(n, what);
    auto t = Template::Parse(text);
    if (!t.ok()) Fail(n, what + ": " + t.message());
    for (const auto& name : t->names()) {
      CheckName(n, name);
      first_use_.emplace(name, LineOf(n));  // keeps the first
    }
    return std::move(*t);
  }

  const std::map<std::string, int>& first_use() const { return first_use_; }

  void CheckName(const YAML::Node& n, const std::string& name) {
    if (name == "period" || name == "period_name") return;
    if ((name.rfind("client.", 0) == 0 && name.size() > 7) || (name.rfind("env.", 0) == 0 && name.size() > 4)) return;
    if (var_names_.count(name)) return;
    std::string known = "client.id, client.name, client.document, client.COLUMN, period, period_name, env.NAME";
    for (const auto& v : var_names_) known += ", " + v;
    Fail(n, "unknown template name {{" + name + "}}: known names are " + known);
  }

  Step Parse(const YAML::Node& node) {
    if (!node.IsMap()) Fail(node, "a step must be a map like `- click: \"#go\"`");
    Step step;
    step.line = LineOf(node);
    std::string kind;
    YAML::Node body;
    YAML::Node frame_node;
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      if (key == "timeout") {
        step.timeout = Timeout(kv.second);
      } else if (key == "optional") {
        step.optional = Flag(kv.second, "optional");
      } else if (key == "frame") {
        frame_node = kv.second;
        if (kv.second.IsSequence()) {
          if (kv.second.size() == 0) Fail(kv.second, "frame is an empty list: name the iframe, e.g. `frame: \"#login\"`");
          for (const auto& f : kv.second) step.frames.push_back(MakeTemplate(f, "frame"));
        } else {
          step.frames.push_back(MakeTemplate(kv.second, "frame"));
        }
      } else if (kind.empty()) {
        kind = key;
        body = kv.second;
      } else {
        Fail(kv.first, "a step has one action; found both `" + kind + "` and `" + key + "` (use two steps)");
      }
    }
    if (kind.empty()) Fail(node, "the step has no action");
    auto set_kind = [&](StepKind k) { step.kind = k; };
    if (kind == "goto") {
      set_kind(StepKind::kGoto);
      step.target = Field(body, {"url"}, "goto", "url");
    } else if (kind == "click") {
      set_kind(StepKind::kClick);
      step.target = Field(body, {"selector"}, "click", "selector");
    } else if (kind == "press") {
      set_kind(StepKind::kPress);
      step.target = Field(body, {"key"}, "press", "key");
    } else if (kind == "eval") {
      set_kind(StepKind::kEval);
      step.target = Field(body, {"js", "script"}, "eval", "js");
    } else if (kind == "fill" || kind == "select") {
      set_kind(kind == "fill" ? StepKind::kFill : StepKind::kSelect);
      Map(body, kind, {"selector", "value", "timeout"});
      step.target = MakeTemplate(Required(body, "selector", kind), kind + ".selector");
      step.value = MakeTemplate(Required(body, "value", kind), kind + ".value");
      if (body["timeout"]) step.timeout = Timeout(body["timeout"]);
    } else if (kind == "wait_for" || kind == "none_if") {
      set_kind(kind == "wait_for" ? StepKind::kWaitFor : StepKind::kNoneIf);
      if (body.IsScalar()) {
        step.target = MakeTemplate(body, kind);
      } else {
        bool waits = kind == "wait_for";
        if (waits) Map(body, kind, {"selector", "url_contains", "text", "timeout"});
        else Map(body, kind, {"selector", "text", "timeout"});
        int found = 0;
        for (auto [key, wk] : {std::pair{"selector", WaitKind::kSelector}, std::pair{"url_contains", WaitKind::kUrlContains},
                               std::pair{"text", WaitKind::kText}}) {
          if (body[key]) {
            ++found;
            step.wait = wk;
            step.target = MakeTemplate(body[key], kind + "." + key);
          }
        }
        if (found != 1) {
          Fail(body, kind + (waits ? " needs exactly one of selector, url_contains or text (found "
                                   : " needs exactly one of selector or text (found ") +
                         std::to_string(found) + ")");
        }
        if (body["timeout"]) step.timeout = Timeout(body["timeout"]);
      }
    } else if (kind == "download") {
      set_kind(StepKind::kDownload);
      Map(body, kind, {"click", "url", "html", "timeout"});
      if (body["click"] && body["url"]) Fail(body, "download takes `click` or `url`, not both");
      if (body["click"]) {
        step.target = MakeTemplate(body["click"], "download.click");
      } else if (body["url"]) {
        step.target = MakeTemplate(body["url"], "download.url");
        step.download_by_url = true;
      } else {
        Fail(body, "download needs `click: SELECTOR` or `url: URL`");
      }
      if (body["html"]) {
        if (Scalar(body["html"], "download.html") != "print") Fail(body["html"], "download.html can only be `print`");
        step.print_html = true;
      }
      if (body["timeout"]) step.timeout = Timeout(body["timeout"]);
    } else if (kind == "print_pdf") {
      set_kind(StepKind::kPrintPdf);
      if (body && !body.IsNull()) {
        Map(body, kind, {"timeout"});
        if (body["timeout"]) step.timeout = Timeout(body["timeout"]);
      }
    } else {
      Fail(node, "unknown step `" + kind +
                     "`: the steps are goto, fill, click, select, press, wait_for, eval, none_if, download, print_pdf");
    }
    bool frame_applies = step.kind == StepKind::kFill || step.kind == StepKind::kClick ||
                         step.kind == StepKind::kSelect || step.kind == StepKind::kWaitFor ||
                         step.kind == StepKind::kNoneIf || step.kind == StepKind::kEval ||
                         (step.kind == StepKind::kDownload && !step.download_by_url);
    if (!step.frames.empty() && !frame_applies) {
      Fail(frame_node, std::string("frame does not apply to ") + StepKindName(step.kind) +
                           (step.kind == StepKind::kDownload ? " url" : "") +
                           ": it is for steps that act on an element (fill, click, select, wait_for, none_if, eval, "
                           "download click)");
    }
    return step;
  }

 private:
  std::chrono::milliseconds Timeout(const YAML::Node& n) {
    auto d = ParseDuration(Scalar(n, "timeout"));
    if (!d.ok()) Fail(n, "timeout: " + d.message());
    if (d->count() == 0) Fail(n, "timeout must be more than 0");
    return *d;
  }
  bool Flag(const YAML::Node& n, const std::string& what) {
    std::string v = Scalar(n, what);
    if (v == "true" || v == "yes") return true;
    if (v == "false" || v == "no") return false;
    Fail(n, what + " must be true or false, not `" + v + "`");
  }
  // `kind: VALUE` or `kind: {field: VALUE, timeout: ...}`.
  Template Field(const YAML::Node& body, std::initializer_list<const char*> names, const std::string& kind,
                 const std::string& main) {
    if (body.IsMap()) {
      for (const char* n : names) {
        if (body[n]) {
          std::set<std::string> allowed(names.begin(), names.end());
          allowed.insert("timeout");
          Map(body, kind, allowed);
          return MakeTemplate(body[n], kind + "." + n);
        }
      }
      Fail(body, kind + " needs `" + main + "`");
    }
    return MakeTemplate(body, kind);
  }
  void Map(const YAML::Node& body, const std::string& kind, const std::set<std::string>& allowed) {
    if (!body.IsMap()) Fail(body, kind + " takes a map, e.g. `" + kind + ": { selector: \"#id\", ... }`");
    for (const auto& kv : body) {
      std::string key = kv.first.as<std::string>();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        Fail(kv.first, kind + " has no field `" + key + "` (its fields: " + list + ")");
      }
    }
  }
  YAML::Node Required(const YAML::Node& body, const char* key, const std::string& kind) {
    if (!body[key]) Fail(body, kind + " needs `" + key + "`");
    return body[key];
  }

  const std::set<std::string>& var_names_;
  std::map<std::string, int> first_use_;  // template name -> flow-file line
};

Flow ParseTree(const YAML::Node& root, const std::map<std::string, std::string>& overrides) {
  Flow flow;
  if (!root.IsMap()) Fail(root, "the flow file must be a map with `login`, `client` and `output`");
  static const std::set<std::string> kTop = {"vars", "login", "client", "output", "verify", "max_pdf_mb", "pdf_password",
                                              "sessions", "block"};
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    if (!kTop.count(key)) {
      Fail(kv.first, "unknown key `" + key + "`: a flow has vars, login, client, output, verify, max_pdf_mb, pdf_password, sessions, block");
    }
  }
  if (root["vars"]) {
    if (!root["vars"].IsMap()) Fail(root["vars"], "vars must be a map of names to values");
    for (const auto& kv : root["vars"]) flow.vars[kv.first.as<std::string>()] = Scalar(kv.second, "vars value");
  }
  for (const auto& [k, v] : overrides) flow.vars[k] = v;
  std::set<std::string> var_names;
  for (const auto& [k, _] : flow.vars) var_names.insert(k);
  StepParser steps(var_names);

  if (const YAML::Node login = root["login"]) {
    if (!login.IsMap()) Fail(login, "login must be a map with `steps` (and optionally `check`)");
    for (const auto& kv : login) {
      std::string key = kv.first.as<std::string>();
      if (key != "check" && key != "steps") Fail(kv.first, "login has no `" + key + "` (it has check, steps)");
    }
    if (login["check"]) flow.login_check = steps.MakeTemplate(login["check"], "login.check");
    if (!login["steps"] || !login["steps"].IsSequence()) Fail(login, "login needs `steps:`, a list of steps");
    for (const auto& s : login["steps"]) flow.login_steps.push_back(steps.Parse(s));
    for (const Step& s : flow.login_steps) {
      if (s.kind == StepKind::kNoneIf || s.kind == StepKind::kDownload || s.kind == StepKind::kPrintPdf) {
        throw FlowError{s.line, std::string(StepKindName(s.kind)) + " belongs in the client steps, not in login"};
      }
    }
  }

  const YAML::Node client = root["client"];
  if (!client) Fail(root, "the flow has no `client:` steps: add the steps that download one client's boleto");
  if (!client.IsSequence() || client.size() == 0) Fail(client, "client must be a non-empty list of steps");
  for (const auto& s : client) flow.client_steps.push_back(steps.Parse(s));
  for (const Step& s : flow.client_steps) {
    if (s.optional && (s.kind == StepKind::kDownload || s.kind == StepKind::kPrintPdf || s.kind == StepKind::kNoneIf)) {
      throw FlowError{s.line, std::string(StepKindName(s.kind)) + " cannot be optional: " +
                                  (s.kind == StepKind::kNoneIf ? "it only looks, it never fails"
                                                               : "the client's slip comes from it")};
    }
  }
  int outputs = 0;
  for (const Step& s : flow.client_steps) {
    if (s.kind == StepKind::kDownload || s.kind == StepKind::kPrintPdf) ++outputs;
  }
  const Step& last = flow.client_steps.back();
  if (outputs == 0) Fail(client, "client steps must end in a download or print_pdf step; there is none");
  if (outputs > 1) Fail(client, "client steps must have exactly one download or print_pdf step; there are " +
                                    std::to_string(outputs));
  if (last.kind != StepKind::kDownload && last.kind != StepKind::kPrintPdf) {
    throw FlowError{last.line, "the download or print_pdf step must be the last client step"};
  }

  if (const YAML::Node sessions = root["sessions"]) {
    std::string v = Scalar(sessions, "sessions");
    if (v != "shared" && v != "per_tab") Fail(sessions, "sessions is `shared` or `per_tab`, not `" + v + "`");
    flow.sessions_per_tab = v == "per_tab";
  }
  if (const YAML::Node block = root["block"]) {
    if (!block.IsSequence()) Fail(block, "block is a list, e.g. `block: [image, font, \"*.doubleclick.net/*\"]`");
    static const std::map<std::string, std::string> kTypes = {
        {"image", "Image"}, {"font", "Font"}, {"media", "Media"}, {"stylesheet", "Stylesheet"}};
    for (const auto& item : block) {
      std::string v = Scalar(item, "block");
      if (auto type = kTypes.find(v); type != kTypes.end()) {
        flow.block_types.push_back(type->second);
      } else if (v.find('*') != std::string::npos || v.find("://") != std::string::npos) {
        flow.block_urls.push_back(v);
      } else {
        Fail(item, "block takes image, font, media, stylesheet or a URL pattern with * (e.g. \"*/analytics/*\"), "
                   "not `" + v + "`");
      }
    }
  }
  if (root["pdf_password"]) flow.pdf_password = steps.MakeTemplate(root["pdf_password"], "pdf_password");
  if (root["output"]) flow.output = steps.MakeTemplate(root["output"], "output");
  else flow.output = *Template::Parse("{{client.id}}.pdf");

  if (const YAML::Node verify = root["verify"]) {
    if (!verify.IsMap() || !verify["contains"] || !verify["contains"].IsSequence()) {
      Fail(verify, "verify takes `contains: [\"{{client.document}}\", ...]`");
    }
    for (const auto& c : verify["contains"]) flow.verify_contains.push_back(steps.MakeTemplate(c, "verify.contains"));
  }
  if (const YAML::Node max = root["max_pdf_mb"]) {
    int mb = 0;
    try {
      mb = max.as<int>();
    } catch (const YAML::Exception&) {
      Fail(max, "max_pdf_mb must be a whole number of megabytes");
    }
    if (mb <= 0) Fail(max, "max_pdf_mb must be more than 0");
    flow.max_pdf_mb = mb;
  }
  flow.name_lines = steps.first_use();
  return flow;
}

}  // namespace

Result<Flow> ParseFlow(const std::string& yaml_text, const std::string& name,
                       const std::map<std::string, std::string>& var_overrides) {
  // Every string of the flow ends up in JSON sent to the browser, which
  // takes UTF-8 only: refuse the file here, naming where, not mid-run.
  if (size_t bad = FindInvalidUtf8(yaml_text); bad != std::string::npos) {
    size_t line_start = yaml_text.rfind('\n', bad == 0 ? 0 : bad - 1);
    line_start = line_start == std::string::npos || bad == 0 ? 0 : line_start + 1;
    int line = 1 + static_cast<int>(std::count(yaml_text.begin(), yaml_text.begin() + static_cast<long>(bad), '\n'));
    return MakeError(ErrorKind::kBadInput, name + ":" + std::to_string(line) + ":" + std::to_string(bad - line_start + 1) +
                                               ": not valid UTF-8: save the flow file as UTF-8");
  }
  try {
    YAML::Node root = YAML::Load(yaml_text);
    if (!root || root.IsNull()) return MakeError(ErrorKind::kBadInput, name + ": the flow file is empty");
    Flow flow = ParseTree(root, var_overrides);
    flow.path = name;
    return flow;
  } catch (const FlowError& e) {
    return MakeError(ErrorKind::kBadInput, name + ":" + std::to_string(e.line) + ": " + e.message);
  } catch (const YAML::Exception& e) {
    return MakeError(ErrorKind::kBadInput, name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                               std::to_string(e.mark.column + 1) + ": YAML syntax error: " + e.msg);
  }
}

Result<Flow> LoadFlowFile(const std::string& path, const std::map<std::string, std::string>& var_overrides) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorKind::kBadInput, "flow file " + path + " not found: pass --flow or create it");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseFlow(ss.str(), path, var_overrides);
}

Status CheckClientColumns(const Flow& flow, const std::set<std::string>& columns) {
  for (const auto& name : flow.TemplateNames()) {
    if (name.rfind("client.", 0) != 0) continue;
    std::string column = name.substr(7);
    if (column == "id" || column == "name" || column == "document" || columns.count(column)) continue;
    std::string list;
    for (const auto& c : columns) list += (list.empty() ? "" : ", ") + c;
    int line = flow.LineOf(name);
    return MakeError(ErrorKind::kBadInput, flow.path + (line > 0 ? ":" + std::to_string(line) : "") +
                                               ": unknown template name {{" + name + "}}: the clients have the columns " +
                                               list + " (fix the flow or add the column to the CSV and import it again)");
  }
  return Status::Ok();
}

Status CheckEnv(const Flow& flow, const EnvLookup& env) {
  std::string missing;
  for (const auto& name : flow.TemplateNames()) {
    if (name.rfind("env.", 0) != 0) continue;
    auto value = env(name.substr(4));
    if (!value) {
      missing += (missing.empty() ? "" : ", ") + name.substr(4);
    } else if (!IsValidUtf8(*value)) {
      return MakeError(ErrorKind::kBadInput, "the environment variable " + name.substr(4) + " (used by " + flow.path +
                                                 ") is not valid UTF-8: set it in UTF-8");
    }
  }
  if (missing.empty()) return Status::Ok();
  return MakeError(ErrorKind::kBadInput,
                   flow.path + " uses environment variables that are not set: " + missing + " (export them first)");
}

void AddSecrets(const Flow& flow, const EnvLookup& env, Redactor& redactor) {
  for (const auto& name : flow.TemplateNames()) {
    if (name.rfind("env.", 0) != 0) continue;
    if (auto v = env(name.substr(4))) redactor.AddSecret(*v);
  }
}

}  // namespace boletos::flow
