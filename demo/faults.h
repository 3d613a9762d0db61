#pragma once
// Faults the demo portal can inject, switchable per test at start-up
// (--faults) or at run time (POST /__admin/faults), with a seed so a test
// sees the same sequence every time.
//   http500=P      the download (or search) answers 500
//   stall=P        the response hangs stall_ms before answering
//   truncate=P     the PDF is cut in half (no %%EOF)
//   html_error=P   an HTML error page with 200 OK where the PDF should be
//   wrong_client=P the slip of another client is served
//   alert=P        the search answers with a page that alerts "Sessão
//                  expirada" and shows no slip
//   expire_every=K the session expires every K requests
//   stall_ms=N     how long a stall lasts (default 40000)
//   delay_ms=N     every search answers N ms late, and normally (a slow portal)

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include "core/result.h"

namespace boletos::demo {

enum class Fault { kNone, kHttp500, kStall, kTruncate, kHtmlError, kWrongClient, kAlert };

struct FaultSpec {
  double http500 = 0, stall = 0, truncate = 0, html_error = 0, wrong_client = 0, alert = 0;
  int expire_every = 0;
  int stall_ms = 40000;
  int delay_ms = 0;
  std::string text;  // as given
};

Result<FaultSpec> ParseFaultSpec(const std::string& text);

class FaultInjector {
 public:
  explicit FaultInjector(uint64_t seed = 1) : random_(seed) {}
  void Set(FaultSpec spec);
  FaultSpec spec() const;
  // Draws the fault for one download (or, with for_search, for a search page:
  // only http500, stall and alert apply there).
  Fault Draw(bool for_search);
  // Counts of injected faults by name, for /__test/stats.
  std::map<std::string, int> counts() const;
  void Count(const std::string& name);

 private:
  mutable std::mutex mu_;
  FaultSpec spec_;
  std::mt19937_64 random_;
  std::map<std::string, int> counts_;
};

const char* FaultName(Fault f);

}  // namespace boletos::demo
