#pragma once
// SlipCheck: what a download must be before it counts. A well-formed PDF
// (poppler opens it and counts its pages) no larger than max_pdf_mb, whose
// text shows it belongs to its client; and the facts read from it.

#include <string>
#include <vector>

#include "core/period.h"
#include "core/result.h"
#include "store/store.h"

namespace boletos::jobs {

struct SlipVerdict {
  bool belongs = false;     // the ownership check passed
  std::string missing;      // what the text lacked, when it does not belong
  store::SlipFacts facts;
};

class SlipCheck {
 public:
  SlipCheck(int max_pdf_mb, Period period);
  // needles: what the text must contain (the flow's verify.contains,
  // rendered, or the client's document); empty = no ownership check.
  // Errors: kInvalidPdf (not a PDF, cut short, too big, unreadable).
  Result<SlipVerdict> Check(const std::string& pdf_path, const std::vector<std::string>& needles,
                            bool needles_are_document) const;

 private:
  int64_t max_bytes_;
  Period period_;
};

}  // namespace boletos::jobs
