// SPEC "Guarantees" when the output disk fills up mid-run (a real 200 KB
// tmpfs mounted on --out, most of it taken by a ballast file): no client is
// `done` without its complete file, no partial file lies under a final name,
// every client that failed says why (No space left on device), and once the
// ballast is deleted, `retry` and the next run finish the rest, downloading
// no done client twice.

#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {
namespace fs = std::filesystem;

constexpr const char* kNoSpace = "No space left on device";

// A tmpfs on dir for the test's life; unmounted (lazily if still busy) at the end.
class TinyDisk {
 public:
  TinyDisk(const std::string& dir, const std::string& size) : dir_(dir) {
    fs::create_directories(dir_);
    if (mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, ("size=" + size).c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~TinyDisk() {
    if (mounted_ && umount2(dir_.c_str(), 0) != 0) umount2(dir_.c_str(), MNT_DETACH);
  }
  TinyDisk(const TinyDisk&) = delete;
  TinyDisk& operator=(const TinyDisk&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

int Served(const Json& stats, const std::string& id) {
  const Json& d = stats["downloads"];
  return d.is_object() && d.contains(id) ? d[id].get<int>() : 0;
}

TEST(FullDisk, ARunThatFillsTheDiskRecordsNoDoneClientWithoutItsFileAndTheNextRunFinishesTheRest) {
  constexpr int kClients = 10;
  Workspace ws(kClients);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  TinyDisk disk(ws.out(), "200k");
  ASSERT_TRUE(disk.mounted()) << "cannot mount a tmpfs on " << ws.out() << ": " << disk.error()
                              << " (this test needs root, or CAP_SYS_ADMIN)";
  // The demo slips are 1-23 KB: a ballast leaves room for a few of them.
  const std::string ballast = ws.out() + "/ballast";
  {
    std::ofstream f(ballast, std::ios::binary);
    f << std::string(168 * 1024, 'x');
    f.close();
    ASSERT_TRUE(f.good()) << "cannot write the ballast";
  }

  Outcome full = ws.Boletos(ws.RunArgs({"--max-attempts", "2", "--max-consecutive-failures", "100"}), Ms(60000));
  EXPECT_EQ(full.code, 1) << full.all();

  auto rows = ws.Rows();
  ASSERT_EQ(rows.size(), static_cast<size_t>(kClients));
  int done = 0, says_no_space = 0;
  for (const auto& [id, row] : rows) {
    if (row["status"] == "done") {
      ++done;
      continue;
    }
    EXPECT_EQ(row["status"], "failed") << row.dump();
    std::string error = row["last_error"].is_string() ? row["last_error"].get<std::string>() : "";
    says_no_space += error.find(kNoSpace) != std::string::npos;
  }
  EXPECT_GE(done, 1) << "the disk was full before the first client; the test proves nothing\n" << full.out;
  EXPECT_LT(done, kClients) << "the disk never filled up; the test proves nothing\n" << full.out;
  EXPECT_EQ(says_no_space, kClients - done) << "every client that failed on the full disk must say why:\n"
                                            << ws.ExportCsv();
  // Every done client has its complete file, nothing else (no partial file,
  // no temporary one) lies in the period folder.
  OutputCheck check = CheckOutput(ws);
  EXPECT_EQ(check.files_verified, done) << check.Describe();
  EXPECT_TRUE(check.problems.empty()) << check.Describe();
  Json served_then = ws.PortalStats();

  // Room again: after `retry` the next run finishes the rest and downloads
  // no done client again.
  ASSERT_TRUE(fs::remove(ballast));
  auto retry = ws.DbArgs();
  retry.insert(retry.begin(), "retry");
  ASSERT_EQ(ws.Boletos(retry).code, 0);
  Outcome rest = ws.Boletos(ws.RunArgs(), Ms(60000));
  EXPECT_EQ(rest.code, 0) << rest.all();
  check = CheckOutput(ws);
  EXPECT_EQ(check.files_verified, kClients) << check.Describe();
  EXPECT_TRUE(check.problems.empty()) << check.Describe();
  Json served = ws.PortalStats();
  for (const auto& [id, row] : rows) {
    if (row["status"] == "done") {
      EXPECT_EQ(Served(served, id), Served(served_then, id)) << id << " downloaded again";
    }
  }
  EXPECT_TRUE(WaitUntilNoProcessMarkedWith(ws.root(), Ms(3000)));
}

}  // namespace
}  // namespace boletos::e2e
