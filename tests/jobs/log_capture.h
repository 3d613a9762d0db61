#pragma once
// LogCapture: while it lives, the default logger writes to memory (and
// nowhere else), so a test can read what the run told its user.

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <vector>

namespace boletos::jobs::testing {

class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100000)), old_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("capture", sink_);
    logger->set_level(spdlog::level::debug);
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(old_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::vector<std::string> Lines() const { return sink_->last_formatted(); }
  // What follows `prefix` in each line that has it, in order.
  std::vector<std::string> After(const std::string& prefix) const {
    std::vector<std::string> found;
    for (std::string line : Lines()) {
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      auto at = line.find(prefix);
      if (at != std::string::npos) found.push_back(line.substr(at + prefix.size()));
    }
    return found;
  }
  // The reasons of the recycles logged ("recycling the browser (pid N): REASON").
  std::vector<std::string> RecycleReasons() const {
    std::vector<std::string> reasons;
    for (const std::string& rest : After("recycling the browser (pid ")) {
      auto colon = rest.find("): ");
      if (colon != std::string::npos) reasons.push_back(rest.substr(colon + 3));
    }
    return reasons;
  }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> old_;
};

}  // namespace boletos::jobs::testing
