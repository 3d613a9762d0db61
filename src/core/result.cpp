#include "core/result.h"

namespace boletos {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kTargetCrashed: return "target_crashed";
    case ErrorKind::kConnectionClosed: return "connection_closed";
    case ErrorKind::kProtocolError: return "protocol_error";
    case ErrorKind::kPortalError: return "portal_error";
    case ErrorKind::kBadInput: return "bad_input";
    case ErrorKind::kIo: return "io";
    case ErrorKind::kNotFound: return "not_found";
    case ErrorKind::kBusy: return "busy";
    case ErrorKind::kInterrupted: return "interrupted";
    case ErrorKind::kForeignSlip: return "foreign_slip";
    case ErrorKind::kInvalidPdf: return "invalid_pdf";
    case ErrorKind::kHumanNeeded: return "human_needed";
  }
  return "unknown";
}

}  // namespace boletos
