#pragma once
// Flow: what to do on the portal, as the flow file (YAML, SPEC.md) says:
// vars, login (with an optional check), the client steps ending in exactly
// one download or print_pdf, the output file name, and what a slip must
// contain to count as the client's.

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "flow/template.h"

namespace boletos::flow {

enum class StepKind { kGoto, kFill, kClick, kSelect, kPress, kWaitFor, kEval, kDownload, kPrintPdf, kNoneIf };
enum class WaitKind { kSelector, kUrlContains, kText };

struct Step {
  StepKind kind = StepKind::kGoto;
  int line = 0;  // in the flow file, 1-based
  std::chrono::milliseconds timeout{30000};
  // goto: the URL; fill/click/select/wait_for selector: the selector;
  // press: the key; eval: the script; wait_for url/text, none_if: the
  // fragment, text or selector (wait says which);
  // download: the selector to click, or the URL (download_by_url).
  Template target;
  Template value;  // fill, select
  WaitKind wait = WaitKind::kSelector;
  bool download_by_url = false;
  bool print_html = false;  // download: html: print
  // `optional: true`: a failure or timeout of this step is logged and the
  // flow goes on (cookie banners, interstitials). A dead browser still ends
  // the attempt.
  bool optional = false;
  // `frame:`: the step acts inside this iframe (a list: a path of nested
  // ones, outermost first). Only on steps that name a selector or look at
  // the page (fill, click, select, wait_for, none_if, eval, download click).
  std::vector<Template> frames;

  // "click a.boleto" - for logs and errors; values are not shown.
  std::string Describe() const;
};

struct Flow {
  std::string path;
  std::map<std::string, std::string> vars;  // after --var overrides
  std::optional<Template> login_check;
  std::vector<Step> login_steps;
  std::vector<Step> client_steps;
  Template output;
  std::vector<Template> verify_contains;  // empty: the client's document
  int max_pdf_mb = 20;
  // `sessions: per_tab`: each tab has a browser context of its own and logs
  // in itself (portals that keep "the current client" in the session).
  bool sessions_per_tab = false;
  // `block:` what the browser never fetches during the login and the client
  // steps before the download: resource types as CDP names them ("Image",
  // "Font", "Media", "Stylesheet") and URL patterns with `*`. The download
  // step fetches everything, so a printed HTML slip is complete.
  std::vector<std::string> block_types;
  std::vector<std::string> block_urls;
  // `pdf_password:` opens a password-protected slip for its checks.
  std::optional<Template> pdf_password;

  // Every name the flow's templates use, for checks before a run.
  std::set<std::string> TemplateNames() const;
  // A flow-file line (1-based) that uses each name, the first the parser
  // meets, so a check made later (the clients' columns) can point at it;
  // 0 if not known.
  std::map<std::string, int> name_lines;
  int LineOf(const std::string& name) const;
};

const char* StepKindName(StepKind kind);

}  // namespace boletos::flow
