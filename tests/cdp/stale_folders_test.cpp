// The browser folders (profile, TMPDIR, downloads) that a killed worker
// could not delete are removed by the next run; a live worker's are not.

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "cdp/browser_process.h"

TEST(StaleBrowserFolders, AKilledWorkersFoldersAreRemovedAndALiveWorkersAreKept) {
  namespace fs = std::filesystem;
  std::string pattern = (fs::temp_directory_path() / "boletos-stale-XXXXXX").string();
  fs::path root = mkdtemp(pattern.data());
  pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);  // now a pid that no process has
  fs::path dead = root / ("boletos-browser-" + std::to_string(child) + "-abc123");
  fs::path live = root / ("boletos-browser-" + std::to_string(getpid()) + "-def456");
  fs::path other = root / "boletos-browser-XYZ123";  // not a name we make now: not ours to judge
  for (const auto& dir : {dead, live, other}) fs::create_directories(dir / "profile");
  EXPECT_EQ(boletos::cdp::RemoveStaleBrowserFolders(root.string()), 1);
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other));
  fs::remove_all(root);
}
