#include "faults.h"

#include <cstdlib>
#include <sstream>

namespace boletos::demo {

const char* FaultName(Fault f) {
  switch (f) {
    case Fault::kNone: return "none";
    case Fault::kHttp500: return "http500";
    case Fault::kStall: return "stall";
    case Fault::kTruncate: return "truncate";
    case Fault::kHtmlError: return "html_error";
    case Fault::kWrongClient: return "wrong_client";
    case Fault::kAlert: return "alert";
  }
  return "none";
}

Result<FaultSpec> ParseFaultSpec(const std::string& text) {
  FaultSpec spec;
  spec.text = text;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.empty()) continue;
    auto eq = item.find('=');
    if (eq == std::string::npos) return MakeError(ErrorKind::kBadInput, "fault '" + item + "' is not NAME=VALUE");
    std::string key = item.substr(0, eq);
    const char* value = item.c_str() + eq + 1;
    char* end = nullptr;
    double v = std::strtod(value, &end);
    if (end == value || *end != '\0' || v < 0) {
      return MakeError(ErrorKind::kBadInput, "fault '" + item + "' needs a number");
    }
    if (key == "http500") spec.http500 = v;
    else if (key == "stall") spec.stall = v;
    else if (key == "truncate") spec.truncate = v;
    else if (key == "html_error") spec.html_error = v;
    else if (key == "wrong_client") spec.wrong_client = v;
    else if (key == "alert") spec.alert = v;
    else if (key == "expire_every") spec.expire_every = static_cast<int>(v);
    else if (key == "stall_ms") spec.stall_ms = static_cast<int>(v);
    else if (key == "delay_ms") spec.delay_ms = static_cast<int>(v);
    else
      return MakeError(ErrorKind::kBadInput, "unknown fault '" + key +
                                                 "' (http500, stall, truncate, html_error, wrong_client, alert, "
                                                 "expire_every, stall_ms)");
  }
  return spec;
}

void FaultInjector::Set(FaultSpec spec) {
  std::lock_guard<std::mutex> lock(mu_);
  spec_ = std::move(spec);
}

FaultSpec FaultInjector::spec() const {
  std::lock_guard<std::mutex> lock(mu_);
  return spec_;
}

Fault FaultInjector::Draw(bool for_search) {
  std::lock_guard<std::mutex> lock(mu_);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double r = u(random_);
  Fault f = Fault::kNone;
  double edge = spec_.http500;
  if (r < edge) f = Fault::kHttp500;
  else if (r < (edge += spec_.stall)) f = Fault::kStall;
  else if (!for_search && r < (edge += spec_.truncate)) f = Fault::kTruncate;
  else if (!for_search && r < (edge += spec_.html_error)) f = Fault::kHtmlError;
  else if (!for_search && r < (edge += spec_.wrong_client)) f = Fault::kWrongClient;
  else if (for_search && r < (edge += spec_.alert)) f = Fault::kAlert;
  if (f != Fault::kNone) ++counts_[FaultName(f)];
  return f;
}

std::map<std::string, int> FaultInjector::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

void FaultInjector::Count(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[name];
}

}  // namespace boletos::demo
