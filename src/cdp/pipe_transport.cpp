// The DevTools pipe behind Transport: Chromium's --remote-debugging-pipe,
// messages as JSON text each ended by a NUL byte. The browser reads fd 3
// and writes fd 4; the spawner gives it both ends of one socket pair as
// those two descriptors (a socket, not two pipes, so a send to a browser
// that died is an error, never a SIGPIPE). No TCP port: no other local
// process can drive a logged-in browser.
//
// A reader and a writer thread. Messages and the close are delivered on
// the reader (the close after the last message); a failed send shuts the
// socket down and leaves the saying to the reader; Close() says it last,
// after joining both.

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "cdp/close_notice.h"
#include "cdp/transport.h"

namespace boletos::cdp {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

class PipeTransport : public Transport {
 public:
  // A browser that sends more than max_message_bytes without a NUL is not
  // to be believed, and its bytes must not grow the worker without bound.
  PipeTransport(int fd, size_t max_message_bytes) : fd_(fd), max_message_bytes_(max_message_bytes) {}
  ~PipeTransport() override { Close(); }

  void Start(MessageFn on_message, CloseFn on_close) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      on_message_ = std::move(on_message);
      closed_.Listen(std::move(on_close));
    }
    reader_ = std::thread([this] { ReadLoop(); });
    writer_ = std::thread([this] { WriteLoop(); });
  }

  void Send(std::string message) override {
    message.push_back('\0');
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_.given() || stopping_) return;  // the owner hears of the close through on_close
      outbox_.push_back(std::move(message));
    }
    wake_writer_.notify_one();
  }

  void Close() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (fd_ < 0) return;
      stopping_ = true;
    }
    wake_writer_.notify_all();
    // Wakes the reader's recv and a send blocked on a full socket.
    shutdown(fd_, SHUT_RDWR);
    if (reader_.joinable()) reader_.join();
    if (writer_.joinable()) writer_.join();
    CloseOnce("closed by boletos");
    std::lock_guard<std::mutex> lock(mu_);
    close(fd_);
    fd_ = -1;
  }

 private:
  void ReadLoop() {
    std::string pending;
    std::string chunk(kReadChunk, '\0');
    size_t scanned = 0;  // bytes of pending known to hold no NUL
    while (true) {
      ssize_t n = recv(fd_, chunk.data(), chunk.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        // After Close()'s shutdown the end is ours, and Close() says so.
        if (Stopping()) return;
        // A reset is a close with our last command unread: the same to us.
        bool closed = n == 0 || errno == ECONNRESET;
        std::string why = closed ? std::string("closed by the browser")
                                 : std::string("reading from the browser failed: ") + std::strerror(errno);
        {
          std::lock_guard<std::mutex> lock(mu_);
          if (!send_failure_.empty()) why = send_failure_;
        }
        return CloseOnce(why);
      }
      pending.append(chunk.data(), static_cast<size_t>(n));
      size_t start = 0;
      size_t nul;
      while ((nul = pending.find('\0', scanned)) != std::string::npos) {
        Deliver(pending.substr(start, nul - start));
        start = nul + 1;
        scanned = start;
      }
      pending.erase(0, start);
      scanned = pending.size();
      if (pending.size() > max_message_bytes_) {
        return CloseOnce("the browser sent a DevTools message of over " + std::to_string(max_message_bytes_) +
                         " bytes");
      }
    }
  }

  void Deliver(std::string message) {
    MessageFn fn;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_.given()) return;
      fn = on_message_;
    }
    if (fn) fn(std::move(message));
  }

  void WriteLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      wake_writer_.wait(lock, [&] { return stopping_ || closed_.given() || !outbox_.empty(); });
      if (stopping_ || closed_.given()) return;
      std::string message = std::move(outbox_.front());
      outbox_.pop_front();
      lock.unlock();
      std::string failure = SendAll(message);
      if (!failure.empty()) {
        // The reader says it, after the last message it delivers: on_close
        // runs on one thread only, after every on_message.
        lock.lock();
        if (send_failure_.empty()) send_failure_ = failure;
        lock.unlock();
        shutdown(fd_, SHUT_RDWR);
        return;
      }
      lock.lock();
    }
  }

  std::string SendAll(const std::string& message) {
    size_t sent = 0;
    while (sent < message.size()) {
      ssize_t n = send(fd_, message.data() + sent, message.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return std::string("send failed: ") + std::strerror(errno);
      sent += static_cast<size_t>(n);
    }
    return "";
  }

  bool Stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopping_;
  }

  void CloseOnce(const std::string& why) {
    auto handler = closed_.Give(why);
    if (!handler) return;
    wake_writer_.notify_all();
    if (*handler) (*handler)(why);
  }

  int fd_;
  const size_t max_message_bytes_;
  std::thread reader_;
  std::thread writer_;
  std::mutex mu_;  // everything below, and fd_'s closing
  std::condition_variable wake_writer_;
  std::deque<std::string> outbox_;
  bool stopping_ = false;  // Close() began
  std::string send_failure_;  // why the writer stopped, for the reader to say
  CloseNotice closed_{mu_};  // on_close was handed out (and runs or ran)
  MessageFn on_message_;
};

}  // namespace

std::unique_ptr<Transport> PipeTransportOver(int socket_fd, size_t max_message_bytes) {
  return std::make_unique<PipeTransport>(socket_fd, max_message_bytes);
}

}  // namespace boletos::cdp
