#include "cdp/evaluate_reply.h"

namespace boletos::cdp {

Json EvaluatedValue(const Json& reply) {
  if (!reply.is_object()) return Json();
  auto result = reply.find("result");
  if (result == reply.end() || !result->is_object()) return Json();
  auto value = result->find("value");
  return value == result->end() ? Json() : *value;
}

bool ContextWasReplaced(const Error& e) {
  return e.kind == ErrorKind::kProtocolError &&
         (e.message.find("Execution context was destroyed") != std::string::npos ||
          e.message.find("Cannot find context") != std::string::npos ||
          e.message.find("Inspected target navigated or closed") != std::string::npos);
}

}  // namespace boletos::cdp
