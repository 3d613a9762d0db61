// SPEC "Exit codes": 2 for bad usage, configuration or input, and nothing
// was changed. Every case runs against a database that already holds clients
// and compares what `export` and `status --json` say
// before and after; the message must name the file, line or path at fault.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {
namespace fs = std::filesystem;

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_.StartPortal();
    ASSERT_EQ(ws_.Import().code, 0);
    before_ = Snapshot();
  }

  // What a user can see of the database and the output folder.
  std::string Snapshot() {
    Json status = ws_.StatusJson();
    std::string files;
    std::error_code ec;
    if (fs::exists(ws_.out(), ec)) {
      for (const auto& e : fs::recursive_directory_iterator(ws_.out(), ec)) files += e.path().string() + "\n";
    }
    return ws_.ExportCsv() + "\nruns: " + status["runs"].dump() + "\nfiles:\n" + files;
  }

  void ExpectNothingChanged() { EXPECT_EQ(Snapshot(), before_); }

  // No browser started: none said so, and no browser folder was made.
  void ExpectNoBrowserStarted(const Outcome& o) {
    EXPECT_EQ(o.all().find("browser started"), std::string::npos) << o.all();
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(ws_.root() + "/tmp", ec)) ADD_FAILURE() << "browser folder " << e.path();
  }

  Outcome ImportText(const std::string& text) {
    ws_.WriteFile("bad.csv", text);
    return ws_.Boletos({"import", ws_.Path("bad.csv"), "--db", ws_.db()});
  }

  // The demo flow with one line replaced; returns the 1-based line changed.
  int WriteFlowReplacing(const std::string& needle, const std::string& replacement) {
    std::string text = ReadFile(ws_.flow());
    size_t at = text.find(needle);
    EXPECT_NE(at, std::string::npos) << needle;
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
    text.replace(at, needle.size(), replacement);
    ws_.WriteFile("bad-flow.yaml", text);
    return line;
  }

  Outcome RunWithFlow(const std::string& flow) {
    std::vector<std::string> args = ws_.RunArgs();
    auto it = std::find(args.begin(), args.end(), ws_.flow());
    *it = flow;
    return ws_.Boletos(args);
  }

  Workspace ws_{3};
  std::string before_;
};

TEST_F(BadInput, ACsvWithAnUnclosedQuoteImportsNothingAndNamesTheLine) {
  Outcome o = ImportText("id,name,document\nx1,Fine,111.444.777-35\nx2,\"Broken,222\nx3,Also fine,333\n");
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.err.find("line 3"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("quote"), std::string::npos) << o.err;
  ExpectNothingChanged();
}

TEST_F(BadInput, ACsvWithoutAnIdColumnImportsNothingAndSaysWhichColumnIsMissing) {
  Outcome o = ImportText("name,document\nFine,111.444.777-35\n");
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.err.find("line 1"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("id"), std::string::npos) << o.err;
  ExpectNothingChanged();
}

TEST_F(BadInput, ACsvWithTheSameIdTwiceImportsNothingAndNamesBothLines) {
  Outcome o = ImportText("id,name\nx1,First\nx2,Second\nx1,Again\n");
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.err.find("line 4"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("x1"), std::string::npos) << o.err;
  ExpectNothingChanged();
}

TEST_F(BadInput, AnEmptyCsvImportsNothingAndSaysSo) {
  Outcome o = ImportText("");
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.err.find("bad.csv"), std::string::npos) << o.err;
  ExpectNothingChanged();
}

TEST_F(BadInput, ACsvWithInvalidUtf8ImportsNothingAndNamesTheLine) {
  Outcome o = ImportText("id,name\nx1,Fine\nx2,Jo\xe3o\n");
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.err.find("line 3"), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("UTF-8"), std::string::npos) << o.err;
  ExpectNothingChanged();
}

// A Latin-1 byte in a selector once reached json::dump() mid-run and ended
// the process with std::terminate.
TEST_F(BadInput, AFlowThatIsNotUtf8StopsTheRunAndNamesTheLineAndColumn) {
  int line = WriteFlowReplacing("- click: \"#go\"", "- click: \"#g\xe9\"");
  Outcome o = RunWithFlow(ws_.Path("bad-flow.yaml"));
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.all().find("bad-flow.yaml:" + std::to_string(line) + ":"), std::string::npos) << o.all();
  EXPECT_NE(o.all().find("not valid UTF-8"), std::string::npos) << o.all();
  ExpectNoBrowserStarted(o);
  ExpectNothingChanged();
}

TEST_F(BadInput, AVarThatIsNotUtf8StopsTheRunAndNamesIt) {
  Outcome o = ws_.Boletos(ws_.RunArgs({"--var", "base_url=http://127.0.0.1:1/p\xe3o"}));
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.all().find("--var base_url: not valid UTF-8"), std::string::npos) << o.all();
  ExpectNoBrowserStarted(o);
  ExpectNothingChanged();
}

TEST_F(BadInput, AFlowWithAYamlSyntaxErrorStopsTheRunAndNamesTheLine) {
  int line = WriteFlowReplacing("- click: \"#go\"", "- click: \"#go");
  Outcome o = RunWithFlow(ws_.Path("bad-flow.yaml"));
  EXPECT_EQ(o.code, 2) << o.all();
  // yaml-cpp reports an unclosed quote where it gave up: at or after the line.
  std::smatch m;
  std::string all = o.all();
  ASSERT_TRUE(std::regex_search(all, m, std::regex(R"(bad-flow\.yaml:(\d+))"))) << all;
  EXPECT_GE(std::stoi(m[1]), line) << all;
  EXPECT_NE(all.find("YAML"), std::string::npos) << all;
  ExpectNoBrowserStarted(o);
  ExpectNothingChanged();
}

TEST_F(BadInput, AFlowWithAnUnknownStepStopsTheRunAndNamesTheLine) {
  int line = WriteFlowReplacing("- click: \"#go\"", "- tap: \"#go\"");
  Outcome o = RunWithFlow(ws_.Path("bad-flow.yaml"));
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.all().find("bad-flow.yaml:" + std::to_string(line)), std::string::npos) << o.all();
  EXPECT_NE(o.all().find("tap"), std::string::npos) << o.all();
  ExpectNoBrowserStarted(o);
  ExpectNothingChanged();
}

TEST_F(BadInput, AFlowWithoutADownloadStepStopsTheRun) {
  WriteFlowReplacing("- download: { click: \"a.boleto\", html: print }", "- click: \"a.boleto\"");
  Outcome o = RunWithFlow(ws_.Path("bad-flow.yaml"));
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.all().find("bad-flow.yaml"), std::string::npos) << o.all();
  EXPECT_NE(o.all().find("download"), std::string::npos) << o.all();
  ExpectNoBrowserStarted(o);
  ExpectNothingChanged();
}

TEST_F(BadInput, AnUnknownTemplateNameIsCaughtBeforeChromiumStarts) {
  int line = WriteFlowReplacing("{{base_url}}/search", "{{base_ur}}/search");
  Outcome o = RunWithFlow(ws_.Path("bad-flow.yaml"));
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.all().find("bad-flow.yaml:" + std::to_string(line)), std::string::npos) << o.all();
  EXPECT_NE(o.all().find("{{base_ur}}"), std::string::npos) << o.all();
  ExpectNoBrowserStarted(o);
  ExpectNothingChanged();
}

TEST_F(BadInput, AnUnknownClientColumnInTheFlowIsCaughtBeforeChromiumStarts) {
  int line = WriteFlowReplacing("{{client.document}}", "{{client.cpf}}");
  Outcome o = RunWithFlow(ws_.Path("bad-flow.yaml"));
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.all().find("bad-flow.yaml:" + std::to_string(line) + ": unknown template name {{client.cpf}}"),
            std::string::npos)
      << o.all();
  ExpectNoBrowserStarted(o);
  ExpectNothingChanged();
}

TEST_F(BadInput, AMissingChromiumStopsTheRunAndSaysWhereItLooked) {
  Outcome o = ws_.Boletos(ws_.RunArgs({"--chromium", "/nonexistent/chromium"}));
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.all().find("/nonexistent/chromium"), std::string::npos) << o.all();
  ExpectNothingChanged();
}

TEST_F(BadInput, AnOutputFolderThatCannotBeCreatedStopsTheRunAndNamesIt) {
  // Root ignores permission bits: a path under a regular file fails for everyone.
  ws_.WriteFile("file.txt", "not a folder");
  std::vector<std::string> args = ws_.RunArgs();
  auto it = std::find(args.begin(), args.end(), ws_.out());
  *it = ws_.Path("file.txt/sub");
  Outcome o = ws_.Boletos(args);
  EXPECT_EQ(o.code, 2) << o.all();
  EXPECT_NE(o.all().find("file.txt/sub"), std::string::npos) << o.all();
  ExpectNoBrowserStarted(o);
  ExpectNothingChanged();
}

TEST_F(BadInput, ADatabaseInAMissingFolderIsRefusedByEveryCommand) {
  std::string db = ws_.Path("no-such-folder/boletos.db");
  Outcome import = ws_.Boletos({"import", ws_.csv(), "--db", db});
  EXPECT_EQ(import.code, 2) << import.all();
  EXPECT_NE(import.err.find("no-such-folder"), std::string::npos) << import.all();
  std::vector<std::string> args = ws_.RunArgs();
  *std::find(args.begin(), args.end(), ws_.db()) = db;
  Outcome run = ws_.Boletos(args);
  EXPECT_EQ(run.code, 2) << run.all();
  EXPECT_NE(run.all().find("no-such-folder"), std::string::npos) << run.all();
  Outcome status = ws_.Boletos({"status", "--db", db});
  EXPECT_EQ(status.code, 2) << status.all();
  EXPECT_FALSE(fs::exists(ws_.Path("no-such-folder")));
  ExpectNothingChanged();
}

TEST_F(BadInput, ACorruptDatabaseFileIsRefusedAndLeftAsItWas) {
  std::string garbage(64 * 1024, '\0');
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919 + 13) % 251);
  ws_.WriteFile("corrupt.db", garbage);
  std::string db = ws_.Path("corrupt.db");
  std::vector<std::string> args = ws_.RunArgs();
  *std::find(args.begin(), args.end(), ws_.db()) = db;
  for (const auto& cmd : std::vector<std::vector<std::string>>{
           args, {"import", ws_.csv(), "--db", db}, {"status", "--db", db}, {"export", "--db", db}}) {
    Outcome o = ws_.Boletos(cmd);
    EXPECT_EQ(o.code, 2) << cmd[0] << ": " << o.all();
    EXPECT_NE(o.err.find("corrupt.db"), std::string::npos) << cmd[0] << ": " << o.all();
    ExpectNoBrowserStarted(o);
  }
  EXPECT_EQ(ReadFile(db), garbage) << "the damaged file was changed";
  ExpectNothingChanged();
}

}  // namespace
}  // namespace boletos::e2e
