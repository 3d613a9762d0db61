#include "fake_cdp_server.h"

#include <mutex>
#include <thread>

#include <websocketpp/config/asio_no_tls.hpp>
#include <websocketpp/server.hpp>

namespace boletos::test_support {

using WsServer = websocketpp::server<websocketpp::config::asio>;

struct FakeCdpServer::Impl {
  WsServer server;
  std::thread thread;
  std::mutex mu;
  websocketpp::connection_hdl client;
  int port = 0;
  CommandFn on_command;
};

FakeCdpServer::FakeCdpServer(CommandFn on_command) : impl_(std::make_unique<Impl>()) {
  impl_->on_command = std::move(on_command);
  auto& s = impl_->server;
  s.clear_access_channels(websocketpp::log::alevel::all);
  s.clear_error_channels(websocketpp::log::elevel::all);
  s.init_asio();
  s.set_reuse_addr(true);
  s.set_open_handler([this](websocketpp::connection_hdl h) {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->client = h;
  });
  s.set_message_handler([this](websocketpp::connection_hdl, WsServer::message_ptr msg) {
    impl_->on_command(*this, nlohmann::json::parse(msg->get_payload()));
  });
  s.listen(asio::ip::tcp::endpoint(asio::ip::address::from_string("127.0.0.1"), 0));
  asio::error_code ec;
  impl_->port = s.get_local_endpoint(ec).port();
  s.start_accept();
  impl_->thread = std::thread([this] { impl_->server.run(); });
}

FakeCdpServer::~FakeCdpServer() {
  impl_->server.stop();
  impl_->thread.join();
}

std::string FakeCdpServer::url() const { return "ws://127.0.0.1:" + std::to_string(impl_->port) + "/devtools/browser/fake"; }

void FakeCdpServer::SendText(const std::string& text) {
  websocketpp::connection_hdl h;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    h = impl_->client;
  }
  websocketpp::lib::error_code ec;
  impl_->server.send(h, text, websocketpp::frame::opcode::text, ec);
}

void FakeCdpServer::Kill() {
  websocketpp::connection_hdl h;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    h = impl_->client;
  }
  websocketpp::lib::error_code ec;
  auto con = impl_->server.get_con_from_hdl(h, ec);
  if (!ec) con->terminate(ec);
}

}  // namespace boletos::test_support
