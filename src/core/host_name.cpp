#include "core/host_name.h"

#include <unistd.h>

namespace boletos {

std::string ThisHostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace boletos
