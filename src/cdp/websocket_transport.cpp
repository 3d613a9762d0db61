// The websocketpp client behind Transport. Kept alone in this file because
// websocketpp makes a translation unit slow to compile (~30 s).

#include <future>
#include <mutex>
#include <thread>

#include <websocketpp/client.hpp>
#include <websocketpp/config/asio_no_tls_client.hpp>

#include "cdp/close_notice.h"
#include "cdp/transport.h"

namespace boletos::cdp {
namespace {

using WsClient = websocketpp::client<websocketpp::config::asio_client>;

// A PDF printed as one base64 message can be large; IO.read keeps messages
// small, but Page.captureScreenshot of a long page is one message.
constexpr size_t kMaxMessageBytes = 256u * 1024 * 1024;

class WebSocketTransport : public Transport {
 public:
  WebSocketTransport() {
    client_.clear_access_channels(websocketpp::log::alevel::all);
    client_.clear_error_channels(websocketpp::log::elevel::all);
    client_.init_asio();
    client_.set_max_message_size(kMaxMessageBytes);
  }

  ~WebSocketTransport() override { Close(); }

  Status Connect(const std::string& url, Deadline deadline) {
    // Empty string: open; else the failure. Shared with the handlers, which
    // outlive this call when it gives up at the deadline (they may still fire
    // before Close() stops the loop).
    auto opened = std::make_shared<std::promise<std::string>>();
    auto opened_future = opened->get_future();
    auto once = std::make_shared<std::once_flag>();
    auto settle = [opened, once](std::string v) { std::call_once(*once, [&] { opened->set_value(std::move(v)); }); };

    client_.set_open_handler([settle](websocketpp::connection_hdl) { settle(""); });
    client_.set_fail_handler([this, settle](websocketpp::connection_hdl h) {
      std::string why = "connection failed";
      websocketpp::lib::error_code ec;
      auto con = client_.get_con_from_hdl(h, ec);
      if (!ec) why = con->get_ec().message();
      settle(why);
      CloseOnce(why);
    });
    client_.set_close_handler([this](websocketpp::connection_hdl h) {
      std::string why = "closed by the browser";
      websocketpp::lib::error_code ec;
      auto con = client_.get_con_from_hdl(h, ec);
      if (!ec && !con->get_remote_close_reason().empty()) why += ": " + con->get_remote_close_reason();
      CloseOnce(why);
    });
    client_.set_message_handler([this](websocketpp::connection_hdl, WsClient::message_ptr msg) {
      if (on_message_) on_message_(msg->get_payload());
    });

    websocketpp::lib::error_code ec;
    auto con = client_.get_connection(url, ec);
    if (ec) return MakeError(ErrorKind::kConnectionClosed, "cannot open DevTools websocket " + url + ": " + ec.message());
    handle_ = con->get_handle();
    client_.connect(con);
    io_thread_ = std::thread([this] { client_.run(); });

    if (opened_future.wait_until(deadline.when()) != std::future_status::ready) {
      return MakeError(ErrorKind::kTimeout, "DevTools websocket " + url + " did not open within " +
                                                std::to_string(deadline.budget().count()) + " ms");
    }
    std::string failure = opened_future.get();
    if (!failure.empty()) {
      return MakeError(ErrorKind::kConnectionClosed, "cannot open DevTools websocket " + url + ": " + failure);
    }
    return Status::Ok();
  }

  void Start(MessageFn on_message, CloseFn on_close) override {
    // Start is called before any message can be routed: the browser sends
    // nothing until asked, and nothing is asked before Start.
    std::lock_guard<std::mutex> lock(mu_);
    on_message_ = std::move(on_message);
    closed_.Listen(on_close);
    if (closed_.given()) {
      asio::post(client_.get_io_service(), [on_close, why = closed_.reason()] { on_close(why); });
    }
  }

  void Send(std::string message) override {
    asio::post(client_.get_io_service(), [this, m = std::move(message)] {
      websocketpp::lib::error_code ec;
      client_.send(handle_, m, websocketpp::frame::opcode::text, ec);
      if (ec) CloseOnce("send failed: " + ec.message());
    });
  }

  void Close() override {
    if (!io_thread_.joinable()) return;
    asio::post(client_.get_io_service(), [this] {
      websocketpp::lib::error_code ec;
      client_.close(handle_, websocketpp::close::status::normal, "bye", ec);
      CloseOnce("closed by boletos");
    });
    // A close handshake with a dead peer can hang; stop the loop after a bit.
    std::thread stopper([this] {
      std::unique_lock<std::mutex> lock(mu_);
      stop_cv_.wait_for(lock, std::chrono::milliseconds(300), [this] { return io_done_; });
      client_.stop();
    });
    io_thread_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      io_done_ = true;
    }
    stop_cv_.notify_all();
    stopper.join();
    // If the loop ended before a close handler ran, the owner still hears of it.
    CloseOnce("closed by boletos");
  }

 private:
  void CloseOnce(const std::string& why) {
    auto handler = closed_.Give(why);
    if (handler && *handler) (*handler)(why);
  }

  WsClient client_;
  websocketpp::connection_hdl handle_;
  std::thread io_thread_;
  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool io_done_ = false;
  CloseNotice closed_{mu_};
  MessageFn on_message_;
};

}  // namespace

Result<std::unique_ptr<Transport>> ConnectWebSocket(const std::string& url, Deadline deadline) {
  auto transport = std::make_unique<WebSocketTransport>();
  Status s = transport->Connect(url, deadline);
  if (!s.ok()) return s.error();
  return std::unique_ptr<Transport>(std::move(transport));
}

}  // namespace boletos::cdp
