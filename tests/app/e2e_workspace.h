#pragma once
// One black-box test's world: a temporary folder holding the database, the
// output folder, the clients CSV (the first N clients of demo/clients.csv)
// and the demo flow; the demo portal on 127.0.0.1 (port 0, in this process,
// so the test can ask it what it served and change its faults); and the
// real `boletos` binary run against all of it with a hermetic environment.
// The destructor kills whatever process still carries the folder's name
// (a failed assertion must not leave a browser behind), then deletes it.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "demo_portal.h"
#include "e2e_process.h"

namespace boletos::e2e {

using Json = nlohmann::json;

inline constexpr const char* kPeriod = "2026-03";
inline constexpr const char* kPortalUser = "e2e-user";
// Distinctive, so a leak is found by a plain search of logs, files and the DB.
inline constexpr const char* kPortalPassword = "Zq7-e2e-SECRET-pw";

class Workspace {
 public:
  explicit Workspace(int clients);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const std::string& root() const { return root_; }
  std::string db() const { return root_ + "/boletos.db"; }
  std::string out() const { return root_ + "/out"; }
  std::string period_dir() const { return out() + "/" + kPeriod; }
  std::string flow() const { return root_ + "/flow.yaml"; }
  std::string csv() const { return root_ + "/clients.csv"; }
  const std::vector<std::string>& ids() const { return ids_; }
  std::string Path(const std::string& name) const { return root_ + "/" + name; }
  void WriteFile(const std::string& name, const std::string& text) const;

  // The portal, serving this workspace's clients.
  demo::DemoPortal& StartPortal(const std::string& faults = "", uint64_t seed = 1);
  demo::DemoPortal& portal() { return *portal_; }
  std::string base_url() const;
  void SetFaults(const std::string& faults);
  Json PortalStats() const;

  std::map<std::string, std::string> Env() const;
  // `run` with this workspace's db, out, flow, period and portal, then extra.
  std::vector<std::string> RunArgs(const std::vector<std::string>& extra = {}) const;
  // --db and --period for status/export/retry.
  std::vector<std::string> DbArgs() const;

  // The binary with args, to its end.
  Outcome Boletos(const std::vector<std::string>& args, Ms timeout = Ms(90000));
  std::unique_ptr<Child> Spawn(const std::vector<std::string>& args);
  Outcome Import();
  std::string ExportCsv();
  Json ExportJson();
  Json StatusJson();
  // Export rows by client id.
  std::map<std::string, Json> Rows();

 private:
  std::string root_;
  std::vector<std::string> ids_;
  std::unique_ptr<demo::DemoPortal> portal_;
  int commands_ = 0;
};

// What the output folder holds, checked against the export and the portal.
struct OutputCheck {
  int files_verified = 0;        // done rows whose file matched
  std::vector<std::string> problems;
  std::string Describe() const;
};

// Every done row has its file, of the recorded size and sha256, byte-equal
// to what the portal serves (a well-formed PDF for clients served as HTML
// and printed); nothing but those files and _failed/ lies in the period
// folder, and no temporary file is left (unless allow_temp_files: right
// after a kill, before the next run has cleaned up). uncommitted_allowed:
// how many whole PDFs may lie under a final name with no done row. A worker
// killed between renaming a boleto to its final name and the store's commit
// leaves one per tab (OutputFolder's documented window); the next run
// downloads that client again onto the same name.
OutputCheck CheckOutput(Workspace& ws, bool allow_temp_files = false, int uncommitted_allowed = 0);

std::string Sha256Hex(const std::string& bytes);
bool LooksLikeCompletePdf(const std::string& bytes);

// The pid from the last "browser started: ... (pid N" line, or -1.
int LastBrowserPid(const std::string& log);

}  // namespace boletos::e2e
