#include "ops/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/iso_time.h"

namespace boletos::ops {
namespace {

class RedactingStdoutSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  RedactingStdoutSink(LogFormat format, const Redactor* redactor) : format_(format), redactor_(redactor) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string text(msg.payload.data(), msg.payload.size());
    if (redactor_) text = redactor_->Redact(std::move(text));
    std::string level(spdlog::level::to_string_view(msg.level).data(), spdlog::level::to_string_view(msg.level).size());
    std::string line;
    if (format_ == LogFormat::kJson) {
      line = nlohmann::json{{"ts", IsoTime(msg.time)}, {"level", level}, {"msg", text}}.dump(
                 -1, ' ', false, nlohmann::json::error_handler_t::replace) +
             "\n";
    } else {
      line = IsoTime(msg.time) + " " + level + " " + text + "\n";
    }
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }
  void flush_() override { std::fflush(stdout); }

 private:
  LogFormat format_;
  const Redactor* redactor_;
};

}  // namespace

void SetupLogging(LogFormat format, const Redactor* redactor) {
  auto sink = std::make_shared<RedactingStdoutSink>(format, redactor);
  auto logger = std::make_shared<spdlog::logger>("boletos", sink);
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

}  // namespace boletos::ops
