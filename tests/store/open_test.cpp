// Opening the database: what a user sees when the path is wrong.

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <fstream>

#include "store/schema.h"
#include "store_test_support.h"

namespace boletos::store {
namespace {

using testing::OpenStore;
using testing::TempDir;

TEST(Open, CreatesTheDatabaseInWalModeAtTheLatestSchema) {
  TempDir dir;
  { auto store = OpenStore(dir); }
  SQLite::Database db(dir.File("boletos.db"));
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), LatestSchemaVersion());
  EXPECT_EQ(LatestSchemaVersion(), 2);
  for (const char* table : {"clients", "jobs", "attempts", "runs", "memory_samples"}) {
    EXPECT_TRUE(db.tableExists(table)) << table;
  }
}

TEST(Open, ReopeningMigratesNothingAndKeepsData) {
  TempDir dir;
  {
    auto store = OpenStore(dir);
    testing::Import(*store, {"a"});
  }
  auto store = OpenStore(dir);
  auto count = store->CountWork("2026-12", 6);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1);
  EXPECT_TRUE(store->CheckIntegrity().ok());
}

TEST(Open, MissingFolderIsBadInputNamingIt) {
  TempDir dir;
  std::string folder = dir.File("no-such-folder");
  auto r = OpenSqliteStore(folder + "/boletos.db");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kBadInput);
  EXPECT_EQ(r.message(), "database folder " + folder + " does not exist: create it or pass --db");
}

TEST(Open, AFolderIsNotADatabase) {
  TempDir dir;
  auto r = OpenSqliteStore(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kBadInput);
}

TEST(Open, NonDatabaseFileIsBadInputNamingThePath) {
  TempDir dir;
  std::string path = dir.Write("boletos.db", std::string(8192, 'x') + "this is a text file, not SQLite\n");
  auto r = OpenSqliteStore(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kBadInput);
  EXPECT_EQ(r.message(), path + " is not a boletos database (file is not a database): move it away or pass another --db");
}

TEST(Open, ASqliteFileOfAnotherProgramIsRefusedUntouched) {
  TempDir dir;
  std::string path = dir.File("other.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE notes (body TEXT)");
  }
  auto r = OpenSqliteStore(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kBadInput);
  EXPECT_NE(r.message().find(path + " is not a boletos database"), std::string::npos) << r.message();
  SQLite::Database db(path);
  EXPECT_FALSE(db.tableExists("clients"));
}

TEST(Open, ADatabaseFromANewerBoletosIsRefused) {
  TempDir dir;
  { auto store = OpenStore(dir); }
  {
    SQLite::Database db(dir.File("boletos.db"), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = 99");
  }
  auto r = OpenSqliteStore(dir.File("boletos.db"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kBadInput);
  EXPECT_NE(r.message().find("newer boletos (schema version 99"), std::string::npos) << r.message();
}

TEST(Open, DamagedPagesAreReportedWithThePathNotThrown) {
  TempDir dir;
  std::string path = dir.File("boletos.db");
  {
    auto store = OpenStore(dir);
    std::vector<Client> clients;
    for (int i = 0; i < 3000; ++i) clients.push_back(testing::MakeClient("client-" + std::to_string(i)));
    ASSERT_TRUE(store->ImportClients(clients).ok());
  }
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  {
    // Garbage over the pages after the schema page: the header still says SQLite.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096 * 2);
    std::string junk(4096 * 8, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto store = OpenSqliteStore(path);
  if (!store.ok()) {  // found at open
    EXPECT_EQ(store.kind(), ErrorKind::kBadInput);
    EXPECT_NE(store.message().find(path), std::string::npos) << store.message();
    return;
  }
  Status integrity = (*store)->CheckIntegrity();
  ASSERT_FALSE(integrity.ok());
  EXPECT_EQ(integrity.kind(), ErrorKind::kIo);
  EXPECT_NE(integrity.message().find(path + " is damaged"), std::string::npos) << integrity.message();
  auto work = (*store)->NextWork("2026-12", "", 5000, 6);
  if (!work.ok()) {
    EXPECT_NE(work.message().find(path), std::string::npos) << work.message();
  }
}

}  // namespace
}  // namespace boletos::store
