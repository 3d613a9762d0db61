// SlipCommit, the per-client pipeline after a download, without a browser:
// files in a temporary folder, a real SlipCheck and a real SQLite store.
// A client's own slip reaches its final name complete and hashed; another
// client's is kept aside and refused; a printed page that is no slip, or a
// file that is no PDF, is refused and removed; two lanes whose clients'
// names collide never share a file.

#include "jobs/slip_commit.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../store/store_test_support.h"
#include "slip_maker.h"

using namespace boletos;
using boletos::store::testing::MakeClient;
using boletos::store::testing::OpenStore;
using boletos::store::testing::TempDir;
namespace fs = std::filesystem;

namespace {

struct Pipeline {
  TempDir dir;
  std::unique_ptr<store::Store> db = OpenStore(dir);
  flow::Flow flow;
  Period period = *ParsePeriod("2026-12");
  std::unique_ptr<flow::FlowRunner> runner;
  jobs::SlipCheck check{5, period};
  jobs::OutputFolder out{dir.File("out"), "2026-12"};
  std::unique_ptr<jobs::SlipCommit> commit;

  // output: "{{client.name}}.pdf"; the slip must show the client's document.
  Pipeline() {
    flow.output = *flow::Template::Parse("{{client.name}}.pdf");
    runner = std::make_unique<flow::FlowRunner>(flow, period, [](const std::string&) { return std::nullopt; });
    EXPECT_TRUE(out.Prepare().ok());
    commit = std::make_unique<jobs::SlipCommit>(*runner, check, out, *db, "2026-12", 2);
  }
  store::WorkItem Item(const std::string& id, const std::string& name, const std::string& document) {
    store::WorkItem item;
    item.client = MakeClient(id, name, document);
    item.client.columns = {{"id", id}, {"name", name}, {"document", document}};
    return item;
  }
  // A downloaded file in the period's folder, as a tab leaves it.
  jobs::DownloadedFile Downloaded(const std::string& id, const std::string& bytes, bool printed_html = false) {
    jobs::DownloadedFile file{out.NewTempPath(id), printed_html, "http://127.0.0.1/slip"};
    std::ofstream(file.temp_path, std::ios::binary) << bytes;
    return file;
  }
  std::string Slip(const std::string& name, const std::string& document) {
    demo::SlipFacts facts = demo::MakeBankSlip("237", 10951, 2026, 12, 10, "0010203040506070809101112");
    return demo::MakeTextPdf({"Pagador: " + name, "CPF: " + document, facts.linha_printed,
                              "Vencimento: " + facts.due_printed, "Valor: " + facts.amount_printed});
  }
  int FilesIn(const std::string& folder) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(folder)) n += e.is_regular_file() ? 1 : 0;
    return n;
  }
};

}  // namespace

TEST(SlipCommit, AClientsOwnSlipReachesItsFinalNameHashedAndItsOldArtifactsGo) {
  Pipeline p;
  std::ofstream(p.out.FailedPath("c1", ".png")) << "old screenshot";
  std::string bytes = p.Slip("Ana", "123.456.789-09");
  auto file = p.Downloaded("c1", bytes);
  jobs::AttemptResult r = p.commit->Commit(0, p.Item("c1", "Ana", "123.456.789-09"), file);
  ASSERT_TRUE(r.ok()) << r.failure().error.message;
  EXPECT_EQ(r.success().download.file, "2026-12/Ana.pdf");
  EXPECT_EQ(r.success().download.bytes, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(r.success().download.sha256, *jobs::Sha256OfFile(p.dir.File("out/2026-12/Ana.pdf")));
  EXPECT_FALSE(r.success().download.facts.linha_digitavel.empty()) << "the slip was read";
  EXPECT_FALSE(fs::exists(file.temp_path));
  EXPECT_FALSE(fs::exists(p.out.FailedPath("c1", ".png"))) << "a done client's old artifacts mislead";
}

TEST(SlipCommit, AnotherClientsSlipIsRefusedAndKeptAside) {
  Pipeline p;
  auto file = p.Downloaded("c1", p.Slip("Bia", "987.654.321-00"));
  jobs::AttemptResult r = p.commit->Commit(0, p.Item("c1", "Ana", "123.456.789-09"), file);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.failure().foreign_slip);
  EXPECT_EQ(r.failure().error.kind, ErrorKind::kForeignSlip);
  EXPECT_NE(r.failure().error.message.find("123.456.789-09"), std::string::npos) << r.failure().error.message;
  EXPECT_TRUE(fs::exists(p.out.FailedPath("c1", ".rejected.pdf")));
  EXPECT_EQ(p.FilesIn(p.out.period_dir()), 0) << "nothing at a final name, no temporary left";
}

TEST(SlipCommit, APrintedPageThatIsNoSlipIsRefusedAsThePortalsAndRemoved) {
  Pipeline p;
  auto file = p.Downloaded("c1", demo::MakeTextPdf({"Sessao expirada", "Entre novamente"}), /*printed_html=*/true);
  jobs::AttemptResult r = p.commit->Commit(0, p.Item("c1", "Ana", "123.456.789-09"), file);
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(r.failure().foreign_slip);
  EXPECT_EQ(r.failure().error.kind, ErrorKind::kPortalError);
  EXPECT_NE(r.failure().error.message.find("is not a boleto"), std::string::npos) << r.failure().error.message;
  EXPECT_FALSE(fs::exists(p.out.FailedPath("c1", ".rejected.pdf")));
  EXPECT_EQ(p.FilesIn(p.out.period_dir()), 0);
}

TEST(SlipCommit, AFileThatIsNoPdfIsRefusedAndRemoved) {
  Pipeline p;
  auto file = p.Downloaded("c1", "<html>500 Internal Server Error</html>");
  jobs::AttemptResult r = p.commit->Commit(0, p.Item("c1", "Ana", "123.456.789-09"), file);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().error.kind, ErrorKind::kInvalidPdf);
  EXPECT_EQ(p.FilesIn(p.out.period_dir()), 0);
}

TEST(SlipCommit, TwoLanesWhoseClientsNamesCollideNeverShareAFile) {
  Pipeline p;
  // Both named Ana; the first lane's commit is not recorded in the store yet.
  auto first = p.commit->Commit(0, p.Item("c1", "Ana", "111"), p.Downloaded("c1", p.Slip("Ana", "111")));
  auto second = p.commit->Commit(1, p.Item("c2", "Ana", "222"), p.Downloaded("c2", p.Slip("Ana", "222")));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first.success().download.file, "2026-12/Ana.pdf");
  EXPECT_EQ(second.success().download.file, "2026-12/Ana (c2).pdf");
  EXPECT_EQ(p.FilesIn(p.out.period_dir()), 2);
}
