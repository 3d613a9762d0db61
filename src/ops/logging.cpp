#include "ops/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <nlohmann/json.hpp>

namespace boletos::ops {
namespace {

std::string IsoUtc(spdlog::log_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

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
      line = nlohmann::json{{"ts", IsoUtc(msg.time)}, {"level", level}, {"msg", text}}.dump(
                 -1, ' ', false, nlohmann::json::error_handler_t::replace) +
             "\n";
    } else {
      line = IsoUtc(msg.time) + " " + level + " " + text + "\n";
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
