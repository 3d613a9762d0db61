#pragma once
// A child process for the black-box tests: the real `boletos` binary started
// the way a shell would (argv, extra environment, a working folder), with
// stdout and stderr captured to files the test can read while it runs. The
// destructor kills and reaps a child that is still running, so no test leaves
// a process behind even when an assertion fails half-way.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace boletos::e2e {

using Ms = std::chrono::milliseconds;

// What a finished command left: its exit code (128+N when killed by signal
// N, like a shell says), stdout and stderr.
struct Outcome {
  int code = -1;
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

class Child {
 public:
  // Starts argv[0] with argv, the parent's environment plus env (which wins),
  // stdout/stderr to out_path/err_path. Aborts the test binary if fork fails.
  Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
        const std::string& out_path, const std::string& err_path);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int sig);
  // The exit code once the child ended within timeout; nullopt if it still runs.
  std::optional<int> Wait(Ms timeout);
  // Waits for a line of stdout containing text; false on timeout or if the
  // child ended without printing it.
  bool WaitForOutput(const std::string& text, Ms timeout);
  // Counts the stdout lines containing text (now).
  int CountOutput(const std::string& text) const;
  std::string out() const;
  std::string err() const;

 private:
  void Reap(int status);

  pid_t pid_ = -1;
  std::optional<int> code_;
  std::string out_path_, err_path_;
};

// Runs a command to its end (killing it after timeout) and returns what it left.
Outcome RunToEnd(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                 const std::string& scratch_prefix, Ms timeout);

std::string ReadFile(const std::string& path);

// Processes alive now (not zombies) whose command line or environment holds
// marker: the tests give every child a TMPDIR under their own folder, and
// the browser and its helpers inherit it, so this finds exactly the
// processes a test started, whatever else runs on the machine.
struct CensusEntry {
  pid_t pid;
  std::string argv0;
};
std::vector<CensusEntry> ProcessesMarkedWith(const std::string& marker);
// The subset of those that are Chromium (argv[0] names chrom*).
int ChromiumProcessesMarkedWith(const std::string& marker);
// Waits until no process carries marker; true when none is left.
bool WaitUntilNoProcessMarkedWith(const std::string& marker, Ms timeout);

}  // namespace boletos::e2e
