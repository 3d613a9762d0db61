#include "flow/flow.h"

namespace boletos::flow {

const char* StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kGoto: return "goto";
    case StepKind::kFill: return "fill";
    case StepKind::kClick: return "click";
    case StepKind::kSelect: return "select";
    case StepKind::kPress: return "press";
    case StepKind::kWaitFor: return "wait_for";
    case StepKind::kEval: return "eval";
    case StepKind::kDownload: return "download";
    case StepKind::kPrintPdf: return "print_pdf";
    case StepKind::kNoneIf: return "none_if";
  }
  return "step";
}

std::string Step::Describe() const {
  std::string what = StepKindName(kind);
  switch (kind) {
    case StepKind::kEval: return what;  // scripts are long; the line number says which
    case StepKind::kPrintPdf: return what;
    case StepKind::kWaitFor:
    case StepKind::kNoneIf:
      return what + (wait == WaitKind::kSelector ? " " : wait == WaitKind::kText ? " text " : " url_contains ") +
             target.source();
    case StepKind::kDownload: return what + (download_by_url ? " url " : " click ") + target.source();
    default: return what + " " + target.source();
  }
}

std::set<std::string> Flow::TemplateNames() const {
  std::set<std::string> names;
  auto add = [&](const Template& t) { names.insert(t.names().begin(), t.names().end()); };
  for (const auto* steps : {&login_steps, &client_steps}) {
    for (const Step& s : *steps) {
      add(s.target);
      add(s.value);
      for (const auto& f : s.frames) add(f);
    }
  }
  if (login_check) add(*login_check);
  if (pdf_password) add(*pdf_password);
  add(output);
  for (const auto& t : verify_contains) add(t);
  return names;
}

int Flow::LineOf(const std::string& name) const {
  auto it = name_lines.find(name);
  return it == name_lines.end() ? 0 : it->second;
}

}  // namespace boletos::flow
