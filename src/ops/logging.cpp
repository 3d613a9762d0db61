#include "ops/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <unistd.h>
#include <mutex>

#include <nlohmann/json.hpp>

#include "core/iso_time.h"

namespace boletos::ops {
namespace {

// The status line and the log lines share stdout: one lock for both.
struct Terminal {
  std::mutex mu;
  bool active = false;  // text log on a terminal
  std::string status;   // drawn below the log; "" = none

  // Under mu: clears the status line, writes text, draws the line again.
  void Write(const std::string& text) {
    if (active && !status.empty()) std::fputs("\r\033[K", stdout);
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (active && !status.empty()) std::fwrite(status.data(), 1, status.size(), stdout);
    std::fflush(stdout);
  }
};

Terminal& TheTerminal() {
  static Terminal terminal;
  return terminal;
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
      line = nlohmann::json{{"ts", IsoTime(msg.time)}, {"level", level}, {"msg", text}}.dump(
                 -1, ' ', false, nlohmann::json::error_handler_t::replace) +
             "\n";
    } else {
      line = IsoTime(msg.time) + " " + level + " " + text + "\n";
    }
    Terminal& terminal = TheTerminal();
    std::lock_guard<std::mutex> lock(terminal.mu);
    terminal.Write(line);
  }
  void flush_() override { std::fflush(stdout); }

 private:
  LogFormat format_;
  const Redactor* redactor_;
};

}  // namespace

void SetupLogging(LogFormat format, const Redactor* redactor) {
  {
    Terminal& terminal = TheTerminal();
    std::lock_guard<std::mutex> lock(terminal.mu);
    terminal.active = format == LogFormat::kText && isatty(STDOUT_FILENO) == 1;
  }
  auto sink = std::make_shared<RedactingStdoutSink>(format, redactor);
  auto logger = std::make_shared<spdlog::logger>("boletos", sink);
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

bool LogsToTerminal() {
  Terminal& terminal = TheTerminal();
  std::lock_guard<std::mutex> lock(terminal.mu);
  return terminal.active;
}

void SetStatusLine(const std::string& text) {
  Terminal& terminal = TheTerminal();
  std::lock_guard<std::mutex> lock(terminal.mu);
  if (!terminal.active) return;
  // Cut to one terminal line's worth, so \r can always take it back.
  std::string line = text.substr(0, 120);
  std::fputs("\r\033[K", stdout);
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
  terminal.status = line;
}

}  // namespace boletos::ops
