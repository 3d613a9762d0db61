#include "ops/status_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

namespace boletos::ops {

struct StatusServer::Impl {
  httplib::Server server;
  std::thread thread;
};

StatusServer::StatusServer() : impl_(std::make_unique<Impl>()) {
  auto& s = impl_->server;
  // A scrape or a health probe is a few small requests: two threads are
  // plenty, and each idle thread costs memory the browser needs more.
  s.new_task_queue = [] { return new httplib::ThreadPool(2); };
  s.set_read_timeout(5, 0);
  s.set_write_timeout(5, 0);
  s.set_keep_alive_max_count(20);
  s.set_keep_alive_timeout(2);
  // httplib's default also sets SO_REUSEPORT, which lets a second process
  // bind the same port and silently take half the probes. REUSEADDR alone
  // still allows a quick restart over connections in TIME_WAIT.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
}

StatusServer::~StatusServer() { Stop(); }

void StatusServer::Get(const std::string& path, RouteHandler handler) {
  // httplib's patterns are regular expressions; escape the path so "/"
  // matches only "/", and anchor it (httplib uses regex_match).
  std::string pattern;
  for (char c : path) {
    if (std::string(".^$|()[]{}*+?\\").find(c) != std::string::npos) pattern += '\\';
    pattern += c;
  }
  impl_->server.Get(pattern, [handler = std::move(handler)](const httplib::Request&, httplib::Response& res) {
    HttpReply reply;
    try {
      reply = handler();
    } catch (const std::exception& e) {
      reply = HttpReply{500, "text/plain; charset=utf-8",
                        std::string("status handler failed: ") + e.what() + "\n"};
    }
    res.status = reply.status;
    // Status pages change every second: never serve them from a cache.
    res.set_header("Cache-Control", "no-store");
    res.set_content(reply.body, reply.content_type.c_str());
  });
}

Status StatusServer::Start(const std::string& address, int port) {
  if (impl_->thread.joinable()) return MakeError(ErrorKind::kBadInput, "the status server is already running");
  if (port < 0 || port > 65535) {
    return MakeError(ErrorKind::kBadInput,
                     "--status-port " + std::to_string(port) + " is not a port: pass 0..65535 (0 = any free port)");
  }
  auto& s = impl_->server;
  int bound = port == 0 ? s.bind_to_any_port(address) : (s.bind_to_port(address, port) ? port : -1);
  if (bound <= 0) {
    return MakeError(ErrorKind::kBadInput,
                     "cannot serve the status port on " + address + ":" + std::to_string(port) +
                         " (in use, or not an address of this machine): pass another --status-port, "
                         "0 for any free port, or another --status-bind");
  }
  address_ = address;
  port_ = bound;
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
  // httplib ignores stop() until its loop is running, so Stop() right after
  // Start() would hang the join: wait until it runs.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!s.is_running() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  spdlog::info("status: serving {}", url());
  return Status::Ok();
}

void StatusServer::Stop() {
  if (!impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

std::string StatusServer::url() const {
  // An IPv6 literal needs brackets in a URL.
  std::string host = address_.find(':') != std::string::npos ? "[" + address_ + "]" : address_;
  return "http://" + host + ":" + std::to_string(port_);
}

}  // namespace boletos::ops
