#pragma once
// Reading a Runtime.evaluate reply, which comes from the browser and so may
// have any shape: these never throw.

#include "cdp/cdp_connection.h"
#include "core/result.h"

namespace boletos::cdp {

// The returned value (returnByValue) of a reply; null when the reply has no
// value or is not shaped as a reply.
Json EvaluatedValue(const Json& reply);

// True when an evaluate failed because a navigation replaced the document
// it ran in: the caller may go on in the new one.
bool ContextWasReplaced(const Error& e);

}  // namespace boletos::cdp
