#pragma once
// FakeCdpServer: a websocket server on 127.0.0.1 (port 0) that plays
// Chromium's side of CDP from a script, for protocol edge cases a real
// browser will not produce on demand (replies out of order, silence,
// garbage, dying mid-command).

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace boletos::test_support {

class FakeCdpServer {
 public:
  // on_command runs on the server's thread for every message received.
  using CommandFn = std::function<void(FakeCdpServer& server, const nlohmann::json& command)>;
  explicit FakeCdpServer(CommandFn on_command);
  ~FakeCdpServer();

  std::string url() const;
  // Sends a raw text frame to the connected client.
  void SendText(const std::string& text);
  void Send(const nlohmann::json& message) { SendText(message.dump()); }
  // Drops the connection without a close handshake, like a killed browser.
  void Kill();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace boletos::test_support
