// SPEC "Commands": `boletos doctor` checks Chromium, the database, the output
// folder, the flow and the memory limit and says what to fix. On a good
// set-up it exits 0 with an ok line per check; each broken set-up exits
// non-zero with a FAIL line naming the check and a "fix:" line under it.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {
namespace fs = std::filesystem;

// doctor with the workspace's db, out and flow, each replaceable.
Outcome Doctor(Workspace& ws, const std::map<std::string, std::string>& over = {}) {
  std::map<std::string, std::string> opt = {
      {"--db", ws.db()}, {"--out", ws.out()}, {"--flow", ws.flow()}, {"--var", "base_url=" + ws.base_url()}};
  for (const auto& [k, v] : over) opt[k] = v;
  std::vector<std::string> args = {"doctor"};
  for (const auto& [k, v] : opt) args.insert(args.end(), {k, v});
  return ws.Boletos(args, Ms(60000));
}

// The line starting with prefix whose text holds what, and the line after it.
std::pair<std::string, std::string> LineAndNext(const std::string& text, const std::string& prefix,
                                                const std::string& what) {
  std::istringstream in(text);
  std::string line, next;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0 && line.find(what) != std::string::npos) {
      std::getline(in, next);
      return {line, next};
    }
  }
  return {"", ""};
}

// The check about what failed, with a fix under it; the others did not fail.
void ExpectOnlyFailure(const Outcome& o, const std::string& what, const std::string& fix_says) {
  EXPECT_NE(o.code, 0) << o.all();
  auto [line, next] = LineAndNext(o.out, "FAIL", what);
  EXPECT_FALSE(line.empty()) << "no FAIL line about " << what << ":\n" << o.all();
  EXPECT_NE(next.find("fix: "), std::string::npos) << "no fix under " << line << ":\n" << o.all();
  EXPECT_NE(next.find(fix_says), std::string::npos) << next;
  EXPECT_NE(o.out.find("1 check failed"), std::string::npos) << o.all();
  EXPECT_EQ(o.all().find(kPortalPassword), std::string::npos) << "the password leaked:\n" << o.all();
}

class DoctorCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.StartPortal();
    ASSERT_EQ(ws_.Import().code, 0);
  }
  Workspace ws_{2};
};

TEST_F(DoctorCommand, AGoodSetUpExits0WithAnOkLineForEveryCheck) {
  Outcome o = Doctor(ws_);
  EXPECT_EQ(o.code, 0) << o.all();
  EXPECT_EQ(o.out.find("FAIL"), std::string::npos) << o.all();
  // Chromium: launched, answering CDP, its version and start-up time.
  EXPECT_TRUE(std::regex_search(o.out, std::regex(R"(ok +Chromium \S*\d+\.\d+\.\d+\.\d+.* answers CDP \(started in \d+ ms\))")))
      << o.out;
  EXPECT_TRUE(std::regex_search(o.out, std::regex("ok +database .*opens, is writable and its schema is current")))
      << o.out;
  // Who the browser runs as, and whether its sandbox is on (issue 18).
  EXPECT_TRUE(std::regex_search(o.out, std::regex(R"(ok +the browser runs as user \S+ \(uid \d+\), with(out)? Chromium's sandbox)")))
      << o.out;
  if (geteuid() == 0) {
    EXPECT_EQ(o.out.find("(uid 0)"), std::string::npos) << "a root worker's browser is not root";
  }
  EXPECT_TRUE(std::regex_search(o.out, std::regex(R"(ok +output folder .* is writable, \d+ MB free)"))) << o.out;
  EXPECT_TRUE(std::regex_search(o.out, std::regex("ok +flow .* parses .*every env variable it uses is set"))) << o.out;
  EXPECT_TRUE(std::regex_search(o.out, std::regex("ok +.*memory limit.*--memory-limit 512 MB"))) << o.out;
  EXPECT_NE(o.out.find("all checks passed"), std::string::npos) << o.out;
  EXPECT_EQ(o.all().find(kPortalPassword), std::string::npos);
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws_.root(), Ms(3000))) << "doctor left its browser behind";
}

// Issue 18: a flow is code; whoever can change it acts on the portal.
TEST_F(DoctorCommand, AFlowOthersCanChangeIsWarnedAboutButPasses) {
  Outcome good = Doctor(ws_);
  EXPECT_EQ(good.out.find("WARN"), std::string::npos) << good.all();

  fs::permissions(ws_.flow(), fs::perms::others_write, fs::perm_options::add);
  Outcome file = Doctor(ws_);
  EXPECT_EQ(file.code, 0) << file.all();
  auto [line, next] = LineAndNext(file.out, "WARN", "the flow file " + ws_.flow() + " is writable by every user");
  EXPECT_FALSE(line.empty()) << file.all();
  EXPECT_NE(next.find("fix: chmod go-w"), std::string::npos) << next;
  fs::permissions(ws_.flow(), fs::perms::others_write, fs::perm_options::remove);

  std::string folder = fs::path(ws_.flow()).parent_path().string();
  fs::permissions(folder, fs::perms::group_write, fs::perm_options::add);
  Outcome dir = Doctor(ws_);
  fs::permissions(folder, fs::perms::group_write, fs::perm_options::remove);
  EXPECT_EQ(dir.code, 0) << dir.all();
  EXPECT_FALSE(LineAndNext(dir.out, "WARN", "its folder " + folder + " is writable by its group").first.empty())
      << dir.all();
}

TEST_F(DoctorCommand, ChromiumMissingFailsWithAFix) {
  Outcome o = Doctor(ws_, {{"--chromium", "/nonexistent/chromium"}});
  ExpectOnlyFailure(o, "Chromium", "--chromium");
}

TEST_F(DoctorCommand, ADatabaseInAMissingFolderFailsWithAFix) {
  Outcome o = Doctor(ws_, {{"--db", ws_.Path("no/such/folder/boletos.db")}});
  ExpectOnlyFailure(o, "database", "--db");
  EXPECT_FALSE(fs::exists(ws_.Path("no"))) << "doctor created the missing folder";
}

TEST_F(DoctorCommand, ACorruptDatabaseFileFailsWithAFix) {
  std::string junk(64 * 1024, '\0');
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 131 + 7) % 251);
  ws_.WriteFile("corrupt.db", "SQLite format 3" + junk);
  Outcome o = Doctor(ws_, {{"--db", ws_.Path("corrupt.db")}});
  ExpectOnlyFailure(o, "database", "restore it from a backup");
  EXPECT_EQ(ReadFile(ws_.Path("corrupt.db")).substr(15), junk) << "doctor changed the corrupt file";
}

TEST_F(DoctorCommand, AnOutputFolderThatCannotBeCreatedFailsWithAFix) {
  ws_.WriteFile("a-file", "not a folder");
  Outcome o = Doctor(ws_, {{"--out", ws_.Path("a-file/out")}});
  ExpectOnlyFailure(o, "output folder", "--out");
}

TEST_F(DoctorCommand, AFlowThatDoesNotParseFailsWithAFix) {
  ws_.WriteFile("broken.yaml", "vars:\n  base_url: [unclosed\nclient:\n  - goto: x\n");
  Outcome o = Doctor(ws_, {{"--flow", ws_.Path("broken.yaml")}});
  ExpectOnlyFailure(o, "flow", "fix the flow");
}

TEST_F(DoctorCommand, AFlowUsingAnUnsetEnvVariableFailsNamingItWithAFix) {
  std::string flow = ReadFile(ws_.flow());
  auto at = flow.find("{{env.PORTAL_PASSWORD}}");
  ASSERT_NE(at, std::string::npos);
  flow.replace(at, 23, "{{env.E2E_DOCTOR_UNSET_VAR}}");
  ws_.WriteFile("flow.yaml", flow);
  Outcome o = Doctor(ws_);
  ExpectOnlyFailure(o, "E2E_DOCTOR_UNSET_VAR", "set them in the environment");
}

}  // namespace
}  // namespace boletos::e2e
