#pragma once
// The exception boundary around one attempt. Nothing thrown while a client
// is worked on (a library's type_error on an odd message, bad_alloc, a bug)
// may end the run or reach a tab's thread top: it becomes a failed attempt
// whose error names what was thrown, and the run goes on.

#include <functional>
#include <string>

#include "jobs/browser_slot.h"

namespace boletos::jobs {

// slot.Attempt(...), with whatever it throws turned into a failure
// (kProtocolError, "the attempt stopped on an unexpected error: ..."),
// its text passed through redact when there is one.
AttemptResult AttemptWithoutThrowing(BrowserSlot& slot, int tab, const store::WorkItem& item, int attempt,
                                     const std::function<std::string(const std::string&)>& redact = {});

}  // namespace boletos::jobs
