#include "jobs/output_folder.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

using namespace boletos;
using namespace boletos::jobs;
namespace fs = std::filesystem;

namespace {

class OutputFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("boletos-out-" + std::to_string(getpid()));
    fs::remove_all(root_);
  }
  void TearDown() override {
    chmod(root_.c_str(), 0755);
    fs::remove_all(root_);
  }
  fs::path root_;
};

void Write(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

TEST_F(OutputFolderTest, PrepareMakesThePeriodAndFailedFoldersAndRemovesLeftovers) {
  OutputFolder out(root_.string(), "2026-12");
  ASSERT_TRUE(out.Prepare().ok());
  EXPECT_TRUE(fs::is_directory(root_ / "2026-12" / "_failed"));
  std::string temp = out.NewTempPath("c/1");
  Write(temp, "partial");
  Write(root_ / "2026-12" / "kept.pdf", "%PDF-");
  OutputFolder next(root_.string(), "2026-12");
  ASSERT_TRUE(next.Prepare().ok());
  EXPECT_EQ(next.removed_leftovers(), 1);
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_TRUE(fs::exists(root_ / "2026-12" / "kept.pdf"));
}

TEST_F(OutputFolderTest, CommitRenamesTheTemporaryFileToItsFinalName) {
  OutputFolder out(root_.string(), "2026-12");
  ASSERT_TRUE(out.Prepare().ok());
  std::string temp = out.NewTempPath("c1");
  Write(temp, "%PDF-1.4 body %%EOF");
  std::string final_path = out.FinalPathFor("Ana_DEZEMBRO.pdf", "c1", [](const std::string&) { return false; });
  ASSERT_TRUE(out.Commit(temp, final_path).ok());
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(out.Relative(final_path), "2026-12/Ana_DEZEMBRO.pdf");
  EXPECT_EQ(Sha256OfFile(final_path).value().size(), 64u);
}

TEST_F(OutputFolderTest, ANameOwnedByAnotherClientGetsTheIdAppended) {
  OutputFolder out(root_.string(), "2026-12");
  auto taken = [](const std::string& rel) { return rel == "2026-12/Joao_DEZEMBRO.pdf"; };
  EXPECT_EQ(out.Relative(out.FinalPathFor("Joao_DEZEMBRO.pdf", "c2", taken)), "2026-12/Joao_DEZEMBRO (c2).pdf");
}

TEST_F(OutputFolderTest, AnOutputPathUnderAFileIsABadInputNamingIt) {
  fs::create_directories(root_);
  Write(root_ / "file", "x");
  OutputFolder out((root_ / "file").string(), "2026-12");
  Status s = out.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kBadInput);
  EXPECT_NE(s.message().find("--out"), std::string::npos) << s.message();
}

TEST(Sha256, MatchesAKnownDigest) {
  fs::path p = fs::temp_directory_path() / ("boletos-sha-" + std::to_string(getpid()));
  Write(p, "abc");
  EXPECT_EQ(Sha256OfFile(p.string()).value(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  fs::remove(p);
}

}  // namespace
