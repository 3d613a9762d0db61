#include "jobs/attempt_boundary.h"

#include <exception>

namespace boletos::jobs {
namespace {

AttemptFailure Unexpected(const std::string& what) {
  return AttemptFailure{MakeError(ErrorKind::kProtocolError,
                                  "the attempt stopped on an unexpected error: " + what +
                                      " (boletos did not expect this: please report it, with the log)"),
                        /*foreign_slip=*/false, /*browser_died=*/false};
}

}  // namespace

AttemptResult AttemptWithoutThrowing(BrowserSlot& slot, int tab, const store::WorkItem& item, int attempt,
                                     const std::function<std::string(const std::string&)>& redact) {
  try {
    return slot.Attempt(tab, item, attempt);
  } catch (const std::exception& e) {
    return Unexpected(redact ? redact(e.what()) : std::string(e.what()));
  } catch (...) {
    return Unexpected("an exception that is not a std::exception");
  }
}

}  // namespace boletos::jobs
