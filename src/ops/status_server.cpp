// The status port on websocketpp's HTTP side. websocketpp and asio are
// compiled into the worker already (the CDP transport); cpp-httplib, the
// first choice, is a shared library whose load initialises OpenSSL, which
// cost every worker 4.2 MB of RSS whether it served a status port or not.
// Kept alone in this file because websocketpp makes a translation unit slow
// to compile (~30 s).

#include "ops/status_server.h"

#include <map>
#include <thread>

#include <spdlog/spdlog.h>
#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

namespace boletos::ops {
namespace {

using HttpServer = websocketpp::server<websocketpp::config::asio>;

}  // namespace

struct StatusServer::Impl {
  HttpServer server;
  std::map<std::string, RouteHandler> routes;
  std::thread thread;

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
    } else {
      try {
        reply = route->second();
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
  s.set_http_handler([this](websocketpp::connection_hdl hdl) { impl_->Answer(hdl); });
  // Plain HTTP only: a websocket upgrade is refused.
  s.set_validate_handler([](websocketpp::connection_hdl) { return false; });
}

StatusServer::~StatusServer() { Stop(); }

void StatusServer::Get(const std::string& path, RouteHandler handler) { impl_->routes[path] = std::move(handler); }

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
