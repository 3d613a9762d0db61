#pragma once
// StatusServer: the small HTTP server behind --status-port (websocketpp's
// HTTP side; see status_server.cpp for why not cpp-httplib).
// It knows nothing of runs: callers register GET routes whose handlers build
// the whole reply. Start() binds and serves from its own thread; Stop() and
// the destructor stop it and join that thread, so no handler runs after the
// server is gone. A handler that throws answers 500 with the reason.

#include <functional>
#include <memory>
#include <string>

#include "core/result.h"

namespace boletos::ops {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using RouteHandler = std::function<HttpReply()>;

class StatusServer {
 public:
  StatusServer();
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Registers GET path (exact match). Call before Start().
  void Get(const std::string& path, RouteHandler handler);

  // Binds address:port (port 0 = any free port) and serves until Stop().
  // Logs "status: serving http://ADDRESS:PORT" with the bound port.
  // kBadInput, saying which flag to change, if the address cannot be bound.
  Status Start(const std::string& address, int port);

  // Idempotent; returns once the serving thread has ended.
  void Stop();

  int port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT"

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string address_;
  int port_ = -1;
};

}  // namespace boletos::ops
