// `boletos import`: upsert by id, all or nothing.

#include <gtest/gtest.h>

#include "store/clients_csv.h"
#include "store_test_support.h"

namespace boletos::store {
namespace {

using testing::Ids;
using testing::MakeClient;
using testing::OpenStore;
using testing::TempDir;

// What `boletos import FILE` does with the store.
Result<ImportSummary> ImportFile(Store& store, const std::string& path) {
  auto clients = ReadClientsCsv(path);
  if (!clients.ok()) return clients.error();
  return store.ImportClients(*clients);
}

std::vector<ExportRow> ExportAll(Store& store) {
  std::vector<ExportRow> rows;
  Status s = store.ForEachExportRow("2026-12", [&](const ExportRow& r) { rows.push_back(r); });
  EXPECT_TRUE(s.ok()) << s.message();
  return rows;
}

TEST(Import, UpsertsById) {
  TempDir dir;
  auto store = OpenStore(dir);
  auto first = ImportFile(*store, dir.Write("a.csv", "id,name,document\n1,Ana,111\n2,Bruno,222\n"));
  ASSERT_TRUE(first.ok()) << first.message();
  EXPECT_EQ(first->inserted, 2);
  EXPECT_EQ(first->updated, 0);

  auto second = ImportFile(*store, dir.Write("b.csv", "id,name,document\n2,Bruno Souza,333\n3,Carla,444\n"));
  ASSERT_TRUE(second.ok()) << second.message();
  EXPECT_EQ(second->inserted, 1);
  EXPECT_EQ(second->updated, 1);

  auto rows = ExportAll(*store);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].name, "Ana");  // not in the second file: kept
  EXPECT_EQ(rows[1].name, "Bruno Souza");
  EXPECT_EQ(rows[1].document, "333");
  EXPECT_EQ(rows[2].id, "3");
}

TEST(Import, KeepsEveryColumnForTheFlow) {
  TempDir dir;
  auto store = OpenStore(dir);
  ASSERT_TRUE(ImportFile(*store, dir.Write("a.csv", "id,name,contract,city\n1,Ana,C-9,S\xC3\xA3o Paulo\n")).ok());
  auto work = store->NextWork("2026-12", "", 10, 6);
  ASSERT_TRUE(work.ok()) << work.message();
  ASSERT_EQ(work->size(), 1u);
  const Client& c = (*work)[0].client;
  EXPECT_EQ(c.columns.at("contract"), "C-9");
  EXPECT_EQ(c.columns.at("city"), "S\xC3\xA3o Paulo");
  EXPECT_EQ(c.columns.at("id"), "1");
  EXPECT_EQ(c.columns.at("name"), "Ana");
}

TEST(Import, DoesNotTouchJobs) {
  TempDir dir;
  auto store = OpenStore(dir);
  testing::Import(*store, {"1"});
  auto run = store->BeginRun("2026-12", 1, "h");
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(store->RecordSuccess("2026-12", "1", *run, 1, testing::MakeDownload("2026-12/a.pdf")).ok());
  ASSERT_TRUE(ImportFile(*store, dir.Write("a.csv", "id,name\n1,Ana Renamed\n")).ok());
  auto rows = ExportAll(*store);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].status, "done");
  EXPECT_EQ(rows[0].name, "Ana Renamed");
}

struct BadFile {
  const char* name;
  const char* content;
  const char* expected;  // "line N: problem"
};

class BadRowImportsNothing : public ::testing::TestWithParam<BadFile> {};

// A file with one bad row anywhere imports nothing, and says where.
TEST_P(BadRowImportsNothing, NamingTheLine) {
  TempDir dir;
  auto store = OpenStore(dir);
  ASSERT_TRUE(ImportFile(*store, dir.Write("good.csv", "id,name\n1,Ana\n")).ok());

  auto r = ImportFile(*store, dir.Write("bad.csv", GetParam().content));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kBadInput);
  EXPECT_NE(r.message().find(GetParam().expected), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("nothing was imported"), std::string::npos) << r.message();

  auto rows = ExportAll(*store);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].name, "Ana");
}

INSTANTIATE_TEST_SUITE_P(
    Import, BadRowImportsNothing,
    ::testing::Values(BadFile{"UnclosedQuote", "id,name\n1,Ana Nova\n2,\"Bruno\n3,Carla\n", "line 3: unbalanced quote"},
                      BadFile{"StrayQuote", "id,name\n1,Ana Nova\n2,Br\"uno\n", "line 3: unbalanced quote"},
                      BadFile{"MissingIdColumn", "code,name\n1,Ana Nova\n", "line 1: the header has no `id` column"},
                      BadFile{"MissingNameColumn", "id,nome\n1,Ana Nova\n", "line 1: the header has no `name` column"},
                      BadFile{"TooFewFields", "id,name,doc\n1,Ana Nova,1\n2,Bruno\n", "line 3: 2 fields"},
                      BadFile{"TooManyFields", "id,name\n1,Ana Nova\n2,Bruno,x\n", "line 3: 3 fields"},
                      BadFile{"EmptyId", "id,name\n1,Ana Nova\n,Bruno\n", "line 3: empty id"},
                      BadFile{"SameIdTwice", "id,name\n1,Ana Nova\n2,Bruno\n2,Carla\n",
                              "line 4: id \"2\" already appears on line 3"},
                      BadFile{"InvalidUtf8", "id,name\n1,Ana Nova\n2,Jo\xE3o\n", "line 3: invalid UTF-8"}),
    [](const ::testing::TestParamInfo<BadFile>& info) { return std::string(info.param.name); });

TEST(Import, DuplicateIdInOneCallImportsNothing) {
  TempDir dir;
  auto store = OpenStore(dir);
  auto r = store->ImportClients({MakeClient("1"), MakeClient("2"), MakeClient("1")});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kBadInput);
  EXPECT_TRUE(ExportAll(*store).empty());
}

TEST(Import, EmptyIdOrInvalidUtf8ClientImportsNothing) {
  TempDir dir;
  auto store = OpenStore(dir);
  EXPECT_EQ(store->ImportClients({MakeClient("1"), MakeClient("")}).kind(), ErrorKind::kBadInput);
  EXPECT_EQ(store->ImportClients({MakeClient("1"), MakeClient("2", "Jo\xE3o")}).kind(), ErrorKind::kBadInput);
  EXPECT_TRUE(ExportAll(*store).empty());
}

}  // namespace
}  // namespace boletos::store
