#include "ops/stop_signal.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace boletos::ops {
namespace {

std::atomic<int> g_signal{0};
int g_write_fd = -1;

void OnSignal(int sig) {
  int expected = 0;
  // The first signal decides the exit code; later ones change nothing (the
  // grace period keeps running).
  g_signal.compare_exchange_strong(expected, sig);
  if (g_write_fd >= 0) {
    char b = 1;
    ssize_t ignored = write(g_write_fd, &b, 1);
    (void)ignored;
  }
}

}  // namespace

StopSignal::StopSignal() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    read_fd_ = fds[0];
    g_write_fd = fds[1];
  }
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

StopSignal::~StopSignal() {
  signal(SIGTERM, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  if (g_write_fd >= 0) close(g_write_fd);
  if (read_fd_ >= 0) close(read_fd_);
  g_write_fd = -1;
  g_signal = 0;
}

bool StopSignal::requested() const { return g_signal.load() != 0; }
int StopSignal::signal_number() const { return g_signal.load(); }

void StopSignal::Request(int signal_number) { OnSignal(signal_number); }

bool StopSignal::WaitUntil(std::chrono::steady_clock::time_point t) const {
  while (!requested()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(t - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    pollfd pfd{read_fd_, POLLIN, 0};
    int r = poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 60000)));
    if (r < 0 && errno != EINTR) return !requested();
  }
  return false;
}

int ExitCodeForSignal(int signal_number) { return signal_number == SIGINT ? 130 : 143; }

}  // namespace boletos::ops
