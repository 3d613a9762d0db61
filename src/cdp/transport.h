#pragma once
// Transport: the four-member seam between CdpConnection and the wire
// (Puppeteer's ConnectionTransport). The browser's is the DevTools pipe;
// the websocket serves tests' fake CDP servers; tests may plug in anything
// that moves text messages.

#include <functional>
#include <memory>
#include <string>

#include "core/deadline.h"
#include "core/result.h"

namespace boletos::cdp {

class Transport {
 public:
  using MessageFn = std::function<void(std::string message)>;
  using CloseFn = std::function<void(const std::string& reason)>;

  virtual ~Transport() = default;
  // Wires the callbacks; called once, before the first Send. Both run on the
  // transport's I/O thread; on_close runs exactly once, after the last message.
  virtual void Start(MessageFn on_message, CloseFn on_close) = 0;
  // Queues a message; thread-safe, never blocks on the network.
  virtual void Send(std::string message) = 0;
  // Closes the socket and joins the I/O thread; idempotent. Must not be
  // called from the I/O thread.
  virtual void Close() = 0;
};

// The DevTools pipe (--remote-debugging-pipe) over one end of a connected
// stream socket, whose other end the browser holds as fds 3 and 4. Takes
// the descriptor over: closed by Close(). A message longer than
// max_message_bytes closes the transport (a screenshot of a long page is
// one message: the default is generous).
inline constexpr size_t kMaxDevToolsMessageBytes = 256u * 1024 * 1024;
std::unique_ptr<Transport> PipeTransportOver(int socket_fd, size_t max_message_bytes = kMaxDevToolsMessageBytes);

// Opens a websocket to url (ws://host:port/path) within the deadline.
// Fails with kConnectionClosed naming the url and the reason.
Result<std::unique_ptr<Transport>> ConnectWebSocket(const std::string& url, Deadline deadline);

}  // namespace boletos::cdp
