// SPEC "The browser process": a worker that runs as root hands the browser
// neither root nor a TCP port. Checked on the real headless shell through
// /proc: the user of every process of the browser's group, its DevTools
// pipe and the absence of a listening socket, and its sandbox (a user
// namespace of its own for the renderer) when the kernel allows one.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "browser_fixture.h"
#include "cdp/browser.h"
#include "cdp/browser_identity.h"

namespace fs = std::filesystem;
using namespace boletos;
using namespace boletos::cdp;
using test_support::ReadAll;
using test_support::Secs;

namespace {

std::vector<pid_t> GroupMembers(pid_t pgid) {
  std::vector<pid_t> pids;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = static_cast<pid_t>(std::stol(name));
    if (getpgid(pid) == pgid) pids.push_back(pid);
  }
  return pids;
}

// The "Uid:" line of /proc/PID/status: real, effective, saved, filesystem.
std::string UidLine(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Uid:", 0) == 0) return line;
  }
  return "";
}

std::string Cmdline(pid_t pid) {
  std::string text = ReadAll("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : text) {
    if (c == '\0') c = ' ';
  }
  return text;
}

// Inodes of the TCP sockets in LISTEN state (st 0A) on this machine.
std::set<std::string> ListeningTcpInodes() {
  std::set<std::string> inodes;
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string sl, local, remote, st, queues, tr, retr, uid, timeout, inode;
      fields >> sl >> local >> remote >> st >> queues >> tr >> retr >> uid >> timeout >> inode;
      if (st == "0A") inodes.insert(inode);
    }
  }
  return inodes;
}

class BrowserPrivileges : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("boletos-priv-" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "browsers");
    fs::permissions(root_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    options_.temp_root = (root_ / "browsers").string();
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
  LaunchOptions options_;
};

TEST_F(BrowserPrivileges, ARootWorkersBrowserRunsAsAnUnprivilegedUserInEveryProcess) {
  if (geteuid() != 0) GTEST_SKIP() << "only a worker that runs as root switches the browser's user";
  const Result<BrowserIdentity>& identity = DefaultBrowserIdentity();
  ASSERT_TRUE(identity.ok()) << identity.message();
  ASSERT_TRUE(identity->drop_privileges);
  ASSERT_NE(identity->uid, 0u);
  auto b = Browser::Launch(options_);
  ASSERT_TRUE(b.ok()) << b.message();
  auto page = (*b)->NewPage(Secs(10));  // a renderer too
  ASSERT_TRUE(page.ok()) << page.message();
  std::vector<pid_t> members = GroupMembers((*b)->pid());
  ASSERT_FALSE(members.empty());
  const std::string uid = std::to_string(identity->uid);
  for (pid_t pid : members) {
    std::string line = UidLine(pid);
    if (line.empty()) continue;  // gone meanwhile
    std::istringstream ids(line.substr(4));
    std::string real, effective, saved, filesystem;
    ids >> real >> effective >> saved >> filesystem;
    // In the sandbox's user namespace a renderer may show the overflow id;
    // root it never is.
    EXPECT_NE(real, "0") << Cmdline(pid);
    EXPECT_NE(effective, "0") << Cmdline(pid);
    EXPECT_NE(saved, "0") << Cmdline(pid);
  }
  EXPECT_EQ(UidLine((*b)->pid()).find("\t" + uid + "\t" + uid + "\t" + uid), 4u) << UidLine((*b)->pid());
}

TEST_F(BrowserPrivileges, DevToolsIsAPipeAndTheBrowserListensOnNoTcpPort) {
  auto b = Browser::Launch(options_);
  ASSERT_TRUE(b.ok()) << b.message();
  auto page = (*b)->NewPage(Secs(10));
  ASSERT_TRUE(page.ok()) << page.message();
  std::string cmdline = Cmdline((*b)->pid());
  EXPECT_NE(cmdline.find("--remote-debugging-pipe"), std::string::npos) << cmdline;
  EXPECT_EQ(cmdline.find("--remote-debugging-port"), std::string::npos) << cmdline;
  std::set<std::string> listening = ListeningTcpInodes();
  int sockets = 0;
  for (pid_t pid : GroupMembers((*b)->pid())) {
    std::error_code ec;
    for (const auto& fd : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
      std::string target = fs::read_symlink(fd.path(), ec).string();
      if (target.rfind("socket:[", 0) != 0) continue;
      ++sockets;
      std::string inode = target.substr(8, target.size() - 9);
      EXPECT_EQ(listening.count(inode), 0u) << "process " << pid << " listens on a TCP port: " << Cmdline(pid);
    }
  }
  EXPECT_GT(sockets, 0) << "the DevTools pipe is a socket: none seen, so nothing was checked";
}

TEST_F(BrowserPrivileges, TheSandboxIsOnWhenTheKernelAllowsItAndOffOtherwise) {
  const Result<BrowserIdentity>& identity = DefaultBrowserIdentity();
  ASSERT_TRUE(identity.ok()) << identity.message();
  auto b = Browser::Launch(options_);
  ASSERT_TRUE(b.ok()) << b.message();
  auto page = (*b)->NewPage(Secs(10));
  ASSERT_TRUE(page.ok()) << page.message();
  ASSERT_TRUE((*page)->Navigate("data:text/html,<p>sandboxed?</p>", Secs(10)).ok());
  pid_t main = (*b)->pid();
  std::string cmdline = Cmdline(main);
  std::error_code ec;
  std::string main_ns = fs::read_symlink("/proc/" + std::to_string(main) + "/ns/user", ec).string();
  std::set<std::string> namespaces;
  for (pid_t pid : GroupMembers(main)) {
    std::string ns = fs::read_symlink("/proc/" + std::to_string(pid) + "/ns/user", ec).string();
    if (!ec) namespaces.insert(ns);
  }
  if (identity->sandbox) {
    EXPECT_EQ(cmdline.find("--no-sandbox"), std::string::npos) << cmdline;
    EXPECT_EQ(cmdline.find("--no-zygote"), std::string::npos) << "Chromium refuses --no-zygote with its sandbox";
    EXPECT_GE(namespaces.size(), 2u) << "no process of the browser is in a user namespace of its own";
  } else {
    EXPECT_NE(cmdline.find("--no-sandbox"), std::string::npos) << cmdline;
    EXPECT_FALSE(identity->no_sandbox_why.empty());
    EXPECT_EQ(namespaces, std::set<std::string>{main_ns});
  }
  EXPECT_NE(identity->Describe().find(identity->sandbox ? "with Chromium's sandbox" : "without"), std::string::npos)
      << identity->Describe();
}

TEST_F(BrowserPrivileges, AFolderTheBrowsersUserCannotEnterIsNamedWithWhatToDo) {
  if (geteuid() != 0) GTEST_SKIP() << "only a worker that runs as root switches the browser's user";
  fs::path closed = root_ / "closed";
  fs::create_directories(closed / "browsers");
  fs::permissions(closed, fs::perms::owner_all);  // 0700, root's
  options_.temp_root = (closed / "browsers").string();
  auto b = Browser::Launch(options_);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.kind(), ErrorKind::kIo) << b.message();
  EXPECT_NE(b.message().find(closed.string() + " (owner root, mode 0700)"), std::string::npos) << b.message();
  EXPECT_NE(b.message().find("TMPDIR"), std::string::npos) << b.message();
  EXPECT_TRUE(fs::is_empty(closed / "browsers")) << "the refused launch left its folder";
}

TEST(BrowserIdentityResolution, AnUnknownOrRootBrowserUserIsRefusedNamingIt) {
  auto unknown = ResolveBrowserIdentity("no-such-user-xyz");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.kind(), ErrorKind::kBadInput);
  EXPECT_NE(unknown.message().find("no-such-user-xyz"), std::string::npos) << unknown.message();
  if (geteuid() == 0) {
    auto root = ResolveBrowserIdentity("root");
    ASSERT_FALSE(root.ok());
    EXPECT_NE(root.message().find("must not run as root"), std::string::npos) << root.message();
    auto nobody = ResolveBrowserIdentity("nobody");
    ASSERT_TRUE(nobody.ok()) << nobody.message();
    EXPECT_EQ(nobody->user, "nobody");
    EXPECT_TRUE(nobody->drop_privileges);
  }
}

}  // namespace
