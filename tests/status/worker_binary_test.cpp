// The built `boletos` binary, the way a user runs it: the worker's status
// port lives across cycles (200 while it waits for the next run), and a
// port that cannot be bound is refused before anything runs.

#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "../ops/prometheus_checker.h"
#include "../store/store_test_support.h"
#include "ops/status_server.h"

using boletos::store::testing::TempDir;
using boletos::test_support::ParsePrometheus;

namespace {

// A child `boletos` with its stdout in a pipe; killed if the test leaves early.
class Boletos {
 public:
  explicit Boletos(std::vector<std::string> args) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      dup2(fds[1], 2);
      close(fds[0]);
      setenv("PORTAL_USER", "demo", 1);
      setenv("PORTAL_PASSWORD", "demo123", 1);
      std::vector<char*> argv{const_cast<char*>(BOLETOS_BIN)};
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(BOLETOS_BIN, argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_fd_ = fds[0];
  }
  ~Boletos() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
  }
  // Reads output until re matches (or 15 s pass); returns the first group.
  std::string WaitFor(const std::regex& re) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    std::smatch m;
    while (!std::regex_search(output_, m, re)) {
      if (std::chrono::steady_clock::now() > until || !ReadSome(100)) return "";
    }
    return m.size() > 1 ? m[1].str() : m[0].str();
  }
  int Wait() {
    while (ReadSome(100)) {
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  void Signal(int sig) { kill(pid_, sig); }
  const std::string& output() const { return output_; }

 private:
  bool ReadSome(int timeout_ms) {
    pollfd p{out_fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return true;  // nothing yet: keep waiting
    char buf[4096];
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) return false;  // closed: the process is gone
    output_.append(buf, static_cast<size_t>(n));
    return true;
  }
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool exited_ = false;
  std::string output_;
};

}  // namespace

TEST(WorkerStatusPort, AnswersWhileTheWorkerWaitsAndStopsCleanly) {
  TempDir dir;
  Boletos worker({"worker", "--every", "1h", "--status-port", "0", "--db", dir.File("b.db"), "--flow", DEMO_FLOW,
                  "--out", dir.File("out"), "--period", "2026-12"});
  std::string port = worker.WaitFor(std::regex("status: serving http://127\\.0\\.0\\.1:(\\d+)"));
  ASSERT_FALSE(port.empty()) << worker.output();
  httplib::Client client("127.0.0.1", std::stoi(port));

  // No clients: the cycle ends at once and the worker waits an hour.
  ASSERT_FALSE(worker.WaitFor(std::regex("next cycle in \\d+ s")).empty()) << worker.output();
  auto health = client.Get("/healthz");
  for (int i = 0; i < 100 && !(health && health->body.find("waiting") != std::string::npos); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    health = client.Get("/healthz");
  }
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body.rfind("ok: waiting; the next run starts in ", 0), 0u) << health->body;

  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  auto m = ParsePrometheus(metrics->body, "boletos_");
  ASSERT_EQ(m.error, "") << metrics->body;
  EXPECT_EQ(m.Value("boletos_run_state", {{"state", "waiting"}}), 1);
  EXPECT_EQ(m.Value("boletos_cycles_total"), 1);
  EXPECT_EQ(m.Value("boletos_run_id"), 1);
  EXPECT_GT(m.Value("boletos_worker_rss_bytes"), -1);

  auto status = client.Get("/status");
  ASSERT_TRUE(status);
  auto j = nlohmann::json::parse(status->body);
  EXPECT_EQ(j["running"], true);
  EXPECT_EQ(j["runs"][0]["outcome"], "finished");
  EXPECT_EQ(j["live"]["phase"], "waiting");
  EXPECT_GT(j["live"]["next_run_in_s"].get<double>(), 3000);

  // A second copy refuses at once (exit 75) and leaves the port alone.
  Boletos second({"run", "--status-port", port, "--db", dir.File("b.db"), "--flow", DEMO_FLOW, "--out",
                  dir.File("out"), "--period", "2026-12"});
  EXPECT_EQ(second.Wait(), 75) << second.output();
  EXPECT_EQ(client.Get("/healthz")->status, 200);

  worker.Signal(SIGTERM);
  EXPECT_EQ(worker.Wait(), 143) << worker.output();
  EXPECT_NE(worker.output().find("worker stopped by SIGTERM, cleanly"), std::string::npos) << worker.output();
  EXPECT_FALSE(client.Get("/healthz")) << "the status port outlived the worker";
}

TEST(RunStatusPort, APortThatCannotBeBoundIsRefusedBeforeAnythingRuns) {
  TempDir dir;
  boletos::ops::StatusServer taken;
  ASSERT_TRUE(taken.Start("127.0.0.1", 0).ok());
  Boletos run({"run", "--status-port", std::to_string(taken.port()), "--db", dir.File("b.db"), "--flow", DEMO_FLOW,
               "--out", dir.File("out"), "--period", "2026-12"});
  EXPECT_EQ(run.Wait(), 2) << run.output();
  EXPECT_NE(run.output().find("pass another --status-port"), std::string::npos) << run.output();
  EXPECT_EQ(run.output().find("run 1 started"), std::string::npos) << run.output();
}
