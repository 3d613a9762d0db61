#include "e2e_workspace.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace boletos::e2e {
namespace fs = std::filesystem;

Workspace::Workspace(int clients) {
  std::string tmpl = (fs::temp_directory_path() / "boletos-e2e-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    std::perror("e2e: mkdtemp");
    std::abort();
  }
  root_ = buf.data();
  // mkdtemp's 0700 would keep out the browser's user (a root worker's
  // browser runs as `nobody`): it must reach its folder under TMPDIR.
  fs::permissions(root_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  fs::create_directories(root_ + "/tmp");
  fs::create_directories(root_ + "/logs");

  std::ifstream in(std::string(BOLETOS_SOURCE_DIR) + "/demo/clients.csv");
  std::ofstream csv_out(csv(), std::ios::binary);
  std::string line;
  for (int n = -1; n < clients && std::getline(in, line); ++n) {
    csv_out << line << "\n";
    if (n >= 0) ids_.push_back(line.substr(0, line.find(',')));
  }
  csv_out.close();
  fs::copy_file(std::string(BOLETOS_SOURCE_DIR) + "/demo/flow.yaml", flow());
}

Workspace::~Workspace() {
  // Safety net only: the tests assert that nothing is left before this runs.
  for (int round = 0; round < 20; ++round) {
    auto left = ProcessesMarkedWith(root_);
    if (left.empty()) break;
    for (const auto& p : left) kill(p.pid, SIGKILL);
    std::this_thread::sleep_for(Ms(50));
  }
  portal_.reset();
  if (!getenv("BOLETOS_E2E_KEEP")) {
    std::error_code ec;
    fs::remove_all(root_, ec);
  } else {
    std::fprintf(stderr, "e2e: kept %s\n", root_.c_str());
  }
}

void Workspace::WriteFile(const std::string& name, const std::string& text) const {
  std::ofstream(Path(name), std::ios::binary | std::ios::trunc) << text;
}

demo::DemoPortal& Workspace::StartPortal(const std::string& faults, uint64_t seed) {
  demo::PortalOptions o;
  o.clients_csv = csv();
  o.user = kPortalUser;
  o.password = kPortalPassword;
  o.faults = faults;
  o.seed = seed;
  auto started = demo::DemoPortal::Start(o);
  if (!started.ok()) {
    std::fprintf(stderr, "e2e: the demo portal did not start: %s\n", started.message().c_str());
    std::abort();
  }
  portal_ = std::move(*started);
  return *portal_;
}

std::string Workspace::base_url() const { return portal_ ? portal_->url() : "http://127.0.0.1:9"; }

void Workspace::SetFaults(const std::string& faults) {
  auto spec = demo::ParseFaultSpec(faults);
  if (!spec.ok()) {
    std::fprintf(stderr, "e2e: bad fault spec %s: %s\n", faults.c_str(), spec.message().c_str());
    std::abort();
  }
  portal_->faults().Set(*spec);
}

Json Workspace::PortalStats() const {
  httplib::Client client("127.0.0.1", portal_->port());
  auto res = client.Get("/__test/stats");
  if (!res || res->status != 200) return Json();
  return Json::parse(res->body, nullptr, false);
}

std::map<std::string, std::string> Workspace::Env() const {
  // Retries wait 0.05-0.1 s doubling instead of 0.5-1 s (a test-only knob of run_cycle.cpp).
  return {{"PORTAL_USER", kPortalUser},
          {"PORTAL_PASSWORD", kPortalPassword},
          {"TMPDIR", root_ + "/tmp"},
          {"BOLETOS_BACKOFF_BASE_MS", "100"}};
}

std::vector<std::string> Workspace::RunArgs(const std::vector<std::string>& extra) const {
  std::vector<std::string> args = {"run",      "--db",     db(),    "--out",  out(),
                                   "--flow",   flow(),     "--period", kPeriod, "--var",
                                   "base_url=" + base_url()};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::vector<std::string> Workspace::DbArgs() const { return {"--db", db(), "--period", kPeriod}; }

Outcome Workspace::Boletos(const std::vector<std::string>& args, Ms timeout) {
  std::vector<std::string> argv = {BOLETOS_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunToEnd(argv, Env(), root_ + "/logs/cmd" + std::to_string(++commands_), timeout);
}

std::unique_ptr<Child> Workspace::Spawn(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {BOLETOS_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string prefix = root_ + "/logs/cmd" + std::to_string(++commands_);
  return std::make_unique<Child>(argv, Env(), prefix + ".out", prefix + ".err");
}

Outcome Workspace::Import() { return Boletos({"import", csv(), "--db", db()}); }

std::string Workspace::ExportCsv() {
  auto args = DbArgs();
  args.insert(args.begin(), "export");
  args.insert(args.end(), {"--format", "csv"});
  return Boletos(args).out;
}

Json Workspace::ExportJson() {
  auto args = DbArgs();
  args.insert(args.begin(), "export");
  args.insert(args.end(), {"--format", "json"});
  Outcome o = Boletos(args);
  return Json::parse(o.out, nullptr, false);
}

Json Workspace::StatusJson() {
  auto args = DbArgs();
  args.insert(args.begin(), "status");
  args.push_back("--json");
  Outcome o = Boletos(args);
  return Json::parse(o.out, nullptr, false);
}

std::map<std::string, Json> Workspace::Rows() {
  std::map<std::string, Json> rows;
  Json all = ExportJson();
  if (!all.is_array()) return rows;
  for (const auto& row : all) rows[row.value("id", "")] = row;
  return rows;
}

std::string OutputCheck::Describe() const {
  std::string s = std::to_string(files_verified) + " files verified";
  for (const auto& p : problems) s += "\n  " + p;
  return s;
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xF];
  }
  return out;
}

bool LooksLikeCompletePdf(const std::string& bytes) {
  size_t tail = bytes.size() > 1024 ? bytes.size() - 1024 : 0;
  return bytes.rfind("%PDF-", 0) == 0 && bytes.find("%%EOF", tail) != std::string::npos;
}

OutputCheck CheckOutput(Workspace& ws, bool allow_temp_files, int uncommitted_allowed) {
  OutputCheck check;
  auto rows = ws.Rows();
  if (rows.empty()) check.problems.push_back("the export has no rows");
  std::map<std::string, std::string> file_owner;  // relative file -> client id
  for (const auto& [id, row] : rows) {
    if (row.value("status", "") != "done") continue;
    if (!row["file"].is_string()) {
      check.problems.push_back(id + " is done without a file");
      continue;
    }
    std::string rel = row["file"].get<std::string>();
    file_owner[rel] = id;
    std::string bytes = ReadFile(ws.out() + "/" + rel);
    std::string why;
    auto delivery = ws.portal().DeliveryOf(id);
    auto expected = ws.portal().ExpectedPdf(id, kPeriod);
    if (!fs::exists(ws.out() + "/" + rel)) why = "its file " + rel + " is missing";
    else if (!row["bytes"].is_number() || row["bytes"].get<int64_t>() != static_cast<int64_t>(bytes.size()))
      why = "size " + std::to_string(bytes.size()) + " differs from the recorded " + row["bytes"].dump();
    else if (row.value("sha256", "") != Sha256Hex(bytes)) why = "sha256 differs from the recorded one";
    else if (!LooksLikeCompletePdf(bytes)) why = "not a complete PDF";
    else if (delivery.ok() && *delivery != demo::Delivery::kHtml && expected.ok() && bytes != *expected)
      why = "bytes differ from what the portal serves";
    if (why.empty()) {
      auto facts = ws.portal().Facts(id, kPeriod);
      if (facts.ok() && row["linha_digitavel"].is_string() &&
          row["linha_digitavel"].get<std::string>() != facts->linha_digitavel) {
        why = "linha digitável " + row["linha_digitavel"].get<std::string>() + " is not the portal's " +
              facts->linha_digitavel;
      }
    }
    if (why.empty()) ++check.files_verified;
    else check.problems.push_back(id + ": " + why);
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ws.period_dir(), ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory()) {
      if (name != "_failed") check.problems.push_back("unexpected folder " + name);
      continue;
    }
    std::string rel = std::string(kPeriod) + "/" + name;
    if (allow_temp_files && name.rfind(".boletos-tmp-", 0) == 0) continue;
    if (file_owner.count(rel)) continue;
    if (uncommitted_allowed > 0 && LooksLikeCompletePdf(ReadFile(entry.path().string()))) {
      --uncommitted_allowed;  // renamed, then killed before the store's commit
      continue;
    }
    check.problems.push_back("file " + name + " is no done client's boleto");
  }
  return check;
}

int LastBrowserPid(const std::string& log) {
  const std::string key = "browser started: ";
  auto at = log.rfind(key);
  if (at == std::string::npos) return -1;
  auto pid_at = log.find("(pid ", at);
  if (pid_at == std::string::npos) return -1;
  return std::atoi(log.c_str() + pid_at + 5);
}

}  // namespace boletos::e2e
