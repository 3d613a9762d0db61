// SafeFileName: any rendered `output:` becomes a name every file system
// takes, with its letters (of any script) and its extension kept.

#include "flow/safe_file_name.h"

#include <gtest/gtest.h>

using boletos::flow::SafeFileName;

TEST(SafeFileName, KeepsLettersOfAnyScriptAndTheExtension) {
  EXPECT_EQ(SafeFileName("João_DEZEMBRO.pdf"), "João_DEZEMBRO.pdf");
  EXPECT_EQ(SafeFileName("Padaria Pão & Cia.pdf"), "Padaria_Pão_&_Cia.pdf");
}

TEST(SafeFileName, ReplacesWhatAFileSystemRefusesAndNeverLeavesADotName) {
  EXPECT_EQ(SafeFileName("a/b\\c:d*e?f\"g<h>i|j.pdf"), "a_b_c_d_e_f_g_h_i_j.pdf");
  EXPECT_EQ(SafeFileName(std::string("x\ny\x01z.pdf")), "x_y_z.pdf");
  for (const char* bad : {"", ".", "..", " . "}) {
    std::string safe = SafeFileName(bad);
    EXPECT_FALSE(safe.empty()) << bad;
    EXPECT_NE(safe, ".") << bad;
    EXPECT_NE(safe, "..") << bad;
  }
  EXPECT_EQ(SafeFileName("../../etc/passwd").find('/'), std::string::npos);
}

TEST(SafeFileName, CutsALongNameAt200BytesWithoutSplittingACharacterAndKeepsPdf) {
  std::string name;
  for (int i = 0; i < 150; ++i) name += "ã";  // 2 bytes each
  std::string safe = SafeFileName(name + ".pdf");
  EXPECT_LE(safe.size(), 200u);
  EXPECT_EQ(safe.substr(safe.size() - 4), ".pdf");
  std::string stem = safe.substr(0, safe.size() - 4);
  EXPECT_EQ(stem.size() % 2, 0u) << "a character was cut in two";
}
