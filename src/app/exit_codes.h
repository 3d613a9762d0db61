#pragma once
// The exit codes of SPEC.md: what users script against.

#include "core/result.h"

namespace boletos::app {

inline constexpr int kExitOk = 0;             // every selected client is done
inline constexpr int kExitSomeFailed = 1;     // some clients failed after all attempts
inline constexpr int kExitBadInput = 2;       // bad usage, configuration or input; nothing changed
inline constexpr int kExitPortalDown = 3;     // too many consecutive failures
inline constexpr int kExitHumanNeeded = 4;    // the portal asks for a human (CAPTCHA, bot challenge)
inline constexpr int kExitLocked = 75;        // another run holds the database
inline constexpr int kExitSigint = 130;
inline constexpr int kExitSigterm = 143;

// The exit code for an error that ends a command before any work.
inline int ExitCodeFor(const Error& e) {
  switch (e.kind) {
    case ErrorKind::kBusy: return kExitLocked;
    case ErrorKind::kInterrupted: return kExitSigterm;
    default: return kExitBadInput;
  }
}

}  // namespace boletos::app
