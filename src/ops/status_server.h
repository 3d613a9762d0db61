#pragma once
// StatusServer: the small HTTP server behind --status-port (websocketpp's
// HTTP side; see status_server.cpp for why not cpp-httplib).
// It knows nothing of runs: callers register GET routes whose handlers build
// the whole reply. Start() binds and serves from its own thread; Stop() and
// the destructor stop it and join that thread, so no handler runs after the
// server is gone. A handler that throws answers 500 with the reason.
// Requests are small and few: a body over 4 KB, more than 64 headers, or a
// request not read within 5 s is refused (websocketpp caps the header block
// at 16 KB), so a flood costs little memory.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace boletos::ops {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using RouteHandler = std::function<HttpReply()>;

// kPersonal routes show clients' names and documents: they are served on a
// loopback bind, or to a request that carries the token (when one is set,
// always). kPublic routes (/healthz, /metrics) hold no personal data.
enum class RouteAccess { kPublic, kPersonal };

// Who may ask. Every request's Host must be an IP address, localhost, this
// machine's name or one of allowed_hosts (a page that a DNS rebinding
// pointed at 127.0.0.1 sends its own name, and is refused).
struct ServerAccess {
  std::string token;  // "Authorization: Bearer TOKEN" or ?token=TOKEN; empty: none
  std::vector<std::string> allowed_hosts;
};

class StatusServer {
 public:
  StatusServer();
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // Registers GET path (exact match). Call before Start().
  void Get(const std::string& path, RouteHandler handler, RouteAccess access = RouteAccess::kPublic);
  // Call before Start().
  void SetAccess(ServerAccess access);

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
