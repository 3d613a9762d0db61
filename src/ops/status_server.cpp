// The status port on websocketpp's HTTP side. websocketpp and asio are
// compiled into the worker already (the CDP transport); cpp-httplib, the
// first choice, is a shared library whose load initialises OpenSSL, which
// cost every worker 4.2 MB of RSS whether it served a status port or not.
// Kept alone in this file because websocketpp makes a translation unit slow
// to compile (~30 s).

#include "ops/status_server.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

namespace boletos::ops {
namespace {

using HttpServer = websocketpp::server<websocketpp::config::asio>;

constexpr size_t kMaxHeaders = 64;
constexpr size_t kMaxBodyBytes = 4096;
constexpr long kRequestTimeoutMs = 5000;
// Open connections at once. A status port has a health check, a Prometheus
// scrape and a person or two; each connection costs its buffers for up to
// kRequestTimeoutMs, so a flood is bounded at this many of them.
constexpr size_t kMaxConnections = 32;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The Host header without its port: "[::1]:8080" -> "::1", "a.b:80" -> "a.b".
std::string HostWithoutPort(const std::string& header) {
  if (!header.empty() && header.front() == '[') {
    size_t close = header.find(']');
    return close == std::string::npos ? header : header.substr(1, close - 1);
  }
  size_t colon = header.find(':');
  return Lower(colon == std::string::npos ? header : header.substr(0, colon));
}

bool IsIpAddress(const std::string& host) {
  asio::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// Compares in time that does not depend on where they differ.
bool SameSecret(const std::string& given, const std::string& token) {
  if (token.empty() || given.size() != token.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < token.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ token[i]);
  return diff == 0;
}

std::string QueryValue(const std::string& resource, const std::string& key) {
  size_t q = resource.find('?');
  if (q == std::string::npos) return "";
  std::string query = resource.substr(q + 1);
  for (size_t pos = 0; pos <= query.size();) {
    size_t amp = query.find('&', pos);
    std::string pair = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (pair.rfind(key + "=", 0) == 0) return pair.substr(key.size() + 1);
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return "";
}

HttpReply Text(int status, const std::string& body) { return HttpReply{status, "text/plain; charset=utf-8", body}; }

}  // namespace

struct StatusServer::Impl {
  struct Route {
    RouteHandler handler;
    RouteAccess access = RouteAccess::kPublic;
  };
  HttpServer server;
  std::map<std::string, Route> routes;
  std::thread thread;
  ServerAccess access;
  bool loopback_bind = true;
  std::string machine_name;
  // The connections open now, as weak handles: websocketpp says when one
  // opens but not when an HTTP one ends; it has ended once its handle has
  // expired or its socket is closed (the object may outlive the socket for
  // a moment). Only the server's thread touches this.
  std::vector<websocketpp::connection_hdl> open;

  bool Ended(const websocketpp::connection_hdl& hdl) {
    websocketpp::lib::error_code ec;
    auto con = server.get_con_from_hdl(hdl, ec);
    return ec || !con->get_raw_socket().is_open();
  }

  // A new connection: kept if there is room, else answered 503 and closed
  // at once (before it can send anything, so it costs nothing more).
  void Admit(websocketpp::connection_hdl hdl) {
    open.erase(std::remove_if(open.begin(), open.end(), [this](const auto& h) { return Ended(h); }), open.end());
    if (open.size() < kMaxConnections) {
      open.push_back(hdl);
      return;
    }
    websocketpp::lib::error_code ec;
    auto con = server.get_con_from_hdl(hdl, ec);
    if (ec) return;
    static const std::string kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 43\r\n"
        "Connection: close\r\n\r\ntoo many open connections: try again later\n";
    asio::error_code io;
    asio::write(con->get_raw_socket(), asio::buffer(kBusy), io);
    con->get_raw_socket().shutdown(asio::ip::tcp::socket::shutdown_both, io);
    con->get_raw_socket().close(io);
  }

  // Why this request may not have what it asks for; empty: it may.
  HttpReply Refusal(HttpServer::connection_ptr con, const Route& route) const {
    const auto& request = con->get_request();
    if (request.get_headers().size() > kMaxHeaders) return Text(431, "too many request headers\n");
    std::string host = HostWithoutPort(request.get_header("Host"));
    bool known_host = IsIpAddress(host) || host == "localhost" || host == machine_name ||
                      std::find(access.allowed_hosts.begin(), access.allowed_hosts.end(), host) !=
                          access.allowed_hosts.end();
    if (!known_host) {
      return Text(403, "Host \"" + host + "\" is not this machine: open the status port by its address, "
                       "localhost or this machine's name, or allow the name with --status-allow-host\n");
    }
    if (route.access == RouteAccess::kPublic) return HttpReply{0, "", ""};
    if (!access.token.empty()) {
      std::string auth = request.get_header("Authorization");
      std::string given = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : QueryValue(con->get_resource(), "token");
      if (SameSecret(given, access.token)) return HttpReply{0, "", ""};
      return Text(401, "this page shows clients' data: send the --status-token as \"Authorization: Bearer TOKEN\" "
                       "or ?token=TOKEN\n");
    }
    if (loopback_bind) return HttpReply{0, "", ""};
    return Text(401, "this page shows clients' data: it is served on a loopback --status-bind, or with "
                     "--status-token TOKEN [BOLETOS_STATUS_TOKEN]; /healthz and /metrics are open\n");
  }

  void Answer(websocketpp::connection_hdl hdl) {
    websocketpp::lib::error_code ec;
    auto con = server.get_con_from_hdl(hdl, ec);
    if (ec) return;  // the client went away
    HttpReply reply;
    std::string path = con->get_resource();
    path = path.substr(0, path.find('?'));  // a cache-busting query changes nothing
    const std::string& method = con->get_request().get_method();
    auto route = routes.find(path);
    if (method != "GET" && method != "HEAD") {
      reply = HttpReply{405, "text/plain; charset=utf-8", "only GET is served here\n"};
      con->append_header("Allow", "GET, HEAD");
    } else if (route == routes.end()) {
      reply = HttpReply{404, "text/plain; charset=utf-8", "no such page: " + path + "\n"};
    } else if (HttpReply refused = Refusal(con, route->second); refused.status != 0) {
      reply = refused;
      if (reply.status == 401) con->append_header("WWW-Authenticate", "Bearer");
    } else {
      try {
        reply = route->second.handler();
      } catch (const std::exception& e) {
        reply = HttpReply{500, "text/plain; charset=utf-8", std::string("status handler failed: ") + e.what() + "\n"};
      }
    }
    con->set_status(static_cast<websocketpp::http::status_code::value>(reply.status));
    con->append_header("Content-Type", reply.content_type);
    // Status pages change every second: never serve them from a cache.
    con->append_header("Cache-Control", "no-store");
    if (method != "HEAD") con->set_body(reply.body);
  }
};

StatusServer::StatusServer() : impl_(std::make_unique<Impl>()) {
  auto& s = impl_->server;
  s.clear_access_channels(websocketpp::log::alevel::all);
  s.clear_error_channels(websocketpp::log::elevel::all);
  s.init_asio();
  // SO_REUSEADDR only: a quick restart over connections in TIME_WAIT works,
  // while a second process still cannot bind the same port (SO_REUSEPORT
  // would let it take half the probes silently).
  s.set_reuse_addr(true);
  s.set_max_http_body_size(kMaxBodyBytes);
  s.set_open_handshake_timeout(kRequestTimeoutMs);  // a client that sends its request slowly
  s.set_http_handler([this](websocketpp::connection_hdl hdl) { impl_->Answer(hdl); });
  s.set_tcp_post_init_handler([this](websocketpp::connection_hdl hdl) { impl_->Admit(hdl); });
  // Plain HTTP only: a websocket upgrade is refused.
  s.set_validate_handler([](websocketpp::connection_hdl) { return false; });
}

StatusServer::~StatusServer() { Stop(); }

void StatusServer::Get(const std::string& path, RouteHandler handler, RouteAccess access) {
  impl_->routes[path] = Impl::Route{std::move(handler), access};
}

void StatusServer::SetAccess(ServerAccess access) {
  for (auto& host : access.allowed_hosts) host = Lower(host);
  impl_->access = std::move(access);
}

Status StatusServer::Start(const std::string& address, int port) {
  if (impl_->thread.joinable()) return MakeError(ErrorKind::kBadInput, "the status server is already running");
  if (port < 0 || port > 65535) {
    return MakeError(ErrorKind::kBadInput,
                     "--status-port " + std::to_string(port) + " is not a port: pass 0..65535 (0 = any free port)");
  }
  auto refused = [&](const std::string& why) {
    return MakeError(ErrorKind::kBadInput, "cannot serve the status port on " + address + ":" + std::to_string(port) +
                                               " (" + why + "): pass another --status-port, 0 for any free port, "
                                               "or another --status-bind");
  };
  auto& s = impl_->server;
  asio::error_code parse_ec;
  auto ip = asio::ip::make_address(address, parse_ec);
  if (parse_ec) return refused("not an IP address");
  impl_->loopback_bind = ip.is_loopback();
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) == 0) impl_->machine_name = Lower(name);
  websocketpp::lib::error_code ec;
  s.listen(asio::ip::tcp::endpoint(ip, static_cast<unsigned short>(port)), ec);
  if (ec) return refused(ec.message());
  asio::error_code local_ec;
  auto local = s.get_local_endpoint(local_ec);
  if (!local_ec) s.start_accept(ec);
  if (local_ec || ec) {
    websocketpp::lib::error_code ignored;
    s.stop_listening(ignored);
    return refused(local_ec ? local_ec.message() : ec.message());
  }
  address_ = address;
  port_ = local.port();
  impl_->thread = std::thread([this] { impl_->server.run(); });
  spdlog::info("status: serving {}", url());
  return Status::Ok();
}

void StatusServer::Stop() {
  if (!impl_->thread.joinable()) return;
  // stop() ends run() at once, open connections with it; nothing here is
  // worth a graceful close.
  impl_->server.stop();
  impl_->thread.join();
}

std::string StatusServer::url() const {
  // An IPv6 literal needs brackets in a URL.
  std::string host = address_.find(':') != std::string::npos ? "[" + address_ + "]" : address_;
  return "http://" + host + ":" + std::to_string(port_);
}

}  // namespace boletos::ops
