#pragma once
// SlipCheck: what a download must be before it counts. A well-formed PDF
// (poppler opens it and counts its pages) no larger than max_pdf_mb, whose
// text shows it belongs to its client; and the facts read from it
// (boleto::ReadSlip: linha digitável, barcode, bank, amount, due date).

#include <chrono>
#include <string>
#include <vector>

#include "core/period.h"
#include "core/result.h"
#include "store/store.h"

namespace boletos::jobs {

struct SlipVerdict {
  bool belongs = false;     // the ownership check passed
  std::string missing;      // what the text lacked, when it does not belong
  store::SlipFacts facts;   // always filled; its warnings say what could not be read
};

class SlipCheck {
 public:
  // At most kMaxTextPages pages are read, and no new page is started once
  // text_budget has passed (a page already begun is finished: poppler
  // cannot be interrupted); either cut adds a warning to the facts.
  static constexpr int kMaxTextPages = 20;
  SlipCheck(int max_pdf_mb, Period period,
            std::chrono::milliseconds text_budget = std::chrono::milliseconds(2000));
  // needles: what the text must contain (the flow's verify.contains,
  // rendered, or the client's document); empty = no ownership check.
  // Errors: kInvalidPdf (not a PDF, cut short, too big, unreadable), kIo.
  // A slip without a valid linha digitável is not an error: the facts carry
  // a warning saying so.
  // passwords: tried in order on a password-protected PDF (the flow's
  // pdf_password, rendered); the file itself is left as it is. A locked
  // PDF none of them opens is kInvalidPdf saying so.
  Result<SlipVerdict> Check(const std::string& pdf_path, const std::vector<std::string>& needles,
                            bool needles_are_document, const std::vector<std::string>& passwords = {}) const;

 private:
  int64_t max_bytes_;
  Period period_;
  std::chrono::milliseconds text_budget_;
};

}  // namespace boletos::jobs
