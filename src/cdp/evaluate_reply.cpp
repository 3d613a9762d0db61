#include "cdp/evaluate_reply.h"

#include "cdp/json_fields.h"

namespace boletos::cdp {

Json EvaluatedValue(const Json& reply) {
  const Json* value = Field(ObjectField(reply, "result"), "value");
  return value ? *value : Json();
}

bool ContextWasReplaced(const Error& e) {
  return e.kind == ErrorKind::kProtocolError &&
         (e.message.find("Execution context was destroyed") != std::string::npos ||
          e.message.find("Cannot find context") != std::string::npos ||
          e.message.find("Inspected target navigated or closed") != std::string::npos);
}

}  // namespace boletos::cdp
