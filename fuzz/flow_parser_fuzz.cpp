// Fuzzes the flow parser: any text must give a Flow or a kBadInput error that
// names the file, never a crash, a hang or an exception escaping.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "flow/flow_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto flow = boletos::flow::ParseFlow(text, "fuzz.yaml", {{"base_url", "http://127.0.0.1:1"}});
  if (!flow.ok()) {
    // The contract: a bad flow is bad input, and the message says which file.
    if (flow.kind() != boletos::ErrorKind::kBadInput) std::abort();
    if (flow.message().find("fuzz.yaml") == std::string::npos) std::abort();
  }
  return 0;
}
