#include "jobs/output_folder.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

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

// NAME_MAX: every name a file system takes is at most 255 bytes.
constexpr size_t kNameMax = 255;

bool IsValidUtf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

bool HasUnsafeByte(const std::string& name) {
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return true;
  }
  return false;
}

std::string NameOf(const std::string& path) { return fs::path(path).filename().string(); }

auto TakenByOther() {
  return [](const std::string&) { return true; };
}

TEST_F(OutputFolderTest, ACollisionSuffixOnA250ByteNameStillFitsInNameMax) {
  OutputFolder out(root_.string(), "2026-12");
  ASSERT_TRUE(out.Prepare().ok());
  std::string safe_name = std::string(246, 'a') + ".pdf";
  std::string final_path = out.FinalPathFor(safe_name, "c-17", TakenByOther());
  std::string name = NameOf(final_path);
  EXPECT_LE(name.size(), kNameMax);
  EXPECT_EQ(name.substr(name.size() - 11), " (c-17).pdf") << name;
  std::string temp = out.NewTempPath("c-17");
  Write(temp, "%PDF-1.4 body %%EOF");
  Status s = out.Commit(temp, final_path);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(fs::exists(final_path));
}

TEST_F(OutputFolderTest, AMultibyteNameIsCutAtACharacterBoundary) {
  OutputFolder out(root_.string(), "2026-12");
  ASSERT_TRUE(out.Prepare().ok());
  std::string stem = "a";  // then "ç€" (2 + 3 bytes): byte 245, where the cut falls, is inside a '€'
  while (stem.size() < 251) stem += "\xC3\xA7\xE2\x82\xAC";
  std::string final_path = out.FinalPathFor(stem + ".pdf", "c-2", TakenByOther());
  std::string name = NameOf(final_path);
  EXPECT_LE(name.size(), kNameMax);
  EXPECT_TRUE(IsValidUtf8(name)) << name;
  EXPECT_EQ(name.substr(name.size() - 10), " (c-2).pdf") << name;
  std::string temp = out.NewTempPath("c-2");
  Write(temp, "%PDF-1.4 body %%EOF");
  Status s = out.Commit(temp, final_path);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST_F(OutputFolderTest, AnIdWithControlCharactersNeverReachesAFileName) {
  OutputFolder out(root_.string(), "2026-12");
  ASSERT_TRUE(out.Prepare().ok());
  const std::string id = "c\n1\x1b[31m/..\\\x7f";
  std::string names[] = {NameOf(out.FinalPathFor("Ana.pdf", id, TakenByOther())),
                         NameOf(out.FailedPath(id, ".png")), NameOf(out.FailedPath(id, ".html")),
                         NameOf(out.FailedPath(id, ".rejected.pdf")), NameOf(out.NewTempPath(id))};
  for (const std::string& name : names) EXPECT_FALSE(HasUnsafeByte(name)) << name;
  // Two ids that differ only in an unsafe byte keep apart.
  EXPECT_NE(out.FailedPath("a\n", ".png"), out.FailedPath("a\x1b", ".png"));
  EXPECT_NE(out.FailedPath("a/", ".png"), out.FailedPath("a_", ".png"));
  EXPECT_EQ(fs::path(out.FailedPath("..", ".png")).parent_path(), root_ / "2026-12" / "_failed");
}

TEST_F(OutputFolderTest, ALongIdFitsInTheFailedArtifactAndTemporaryNames) {
  OutputFolder out(root_.string(), "2026-12");
  ASSERT_TRUE(out.Prepare().ok());
  const std::string id(300, 'x');
  for (const char* suffix : {".png", ".html", ".rejected.pdf"}) {
    std::string path = out.FailedPath(id, suffix);
    std::string name = NameOf(path);
    EXPECT_LE(name.size(), kNameMax) << name;
    EXPECT_EQ(name.substr(name.size() - std::strlen(suffix)), suffix);
    Write(path, "artifact");
    EXPECT_TRUE(fs::exists(path)) << path;
  }
  // Cut ids stay apart: the same first 300 bytes, another end.
  EXPECT_NE(out.FailedPath(id + "1", ".png"), out.FailedPath(id + "2", ".png"));
  EXPECT_LE(NameOf(out.NewTempPath(id)).size(), kNameMax);
  std::string final_name = NameOf(out.FinalPathFor(std::string(196, 'n') + ".pdf", id, TakenByOther()));
  EXPECT_LE(final_name.size(), kNameMax) << final_name;
  EXPECT_NE(NameOf(out.FinalPathFor("n.pdf", id + "1", TakenByOther())),
            NameOf(out.FinalPathFor("n.pdf", id + "2", TakenByOther())));
}

TEST_F(OutputFolderTest, PrepareSyncsEveryNewFolderInItsParent) {
  std::vector<std::string> synced;
  auto record = [&synced](const std::string& folder) {
    synced.push_back(fs::path(folder).lexically_normal().string());
    return Status::Ok();
  };
  fs::create_directories(root_);
  OutputFolder out(root_.string(), "2026-12", record);
  ASSERT_TRUE(out.Prepare().ok());
  // PERIOD/ is new in --out, _failed/ in PERIOD/.
  EXPECT_EQ(synced, (std::vector<std::string>{root_.string(), (root_ / "2026-12").string()}));
  synced.clear();
  OutputFolder again(root_.string(), "2026-12", record);
  ASSERT_TRUE(again.Prepare().ok());
  EXPECT_TRUE(synced.empty()) << "nothing new, nothing to sync";
}

TEST_F(OutputFolderTest, AFolderThatCannotBeSyncedFailsPrepareNamingIt) {
  fs::create_directories(root_);
  OutputFolder out(root_.string(), "2026-12", [](const std::string& folder) {
    return Status(MakeError(ErrorKind::kIo, "cannot sync " + folder));
  });
  Status s = out.Prepare();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(root_.string()), std::string::npos) << s.message();
}

TEST(Sha256, MatchesAKnownDigest) {
  fs::path p = fs::temp_directory_path() / ("boletos-sha-" + std::to_string(getpid()));
  Write(p, "abc");
  EXPECT_EQ(Sha256OfFile(p.string()).value(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  fs::remove(p);
}

}  // namespace
