#pragma once
// Test support: a temporary folder per test, and short ways to make a
// store with clients in it.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace boletos::store::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "boletos-store-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
    // mkdtemp's 0700 would keep out the browser's user (a root worker's
    // browser runs as `nobody`) when a test puts browsers in here.
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                            std::filesystem::perms::others_exec);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }
  std::string Write(const std::string& name, const std::string& content) const {
    std::string p = File(name);
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline Client MakeClient(const std::string& id, const std::string& name = "", const std::string& document = "") {
  Client c;
  c.id = id;
  c.name = name.empty() ? "Client " + id : name;
  c.document = document;
  c.columns = {{"id", c.id}, {"name", c.name}, {"document", document}};
  return c;
}

inline std::unique_ptr<Store> OpenStore(const TempDir& dir, const std::string& name = "boletos.db") {
  auto store = OpenSqliteStore(dir.File(name));
  EXPECT_TRUE(store.ok()) << store.message();
  return std::move(store).value();
}

inline void Import(Store& store, const std::vector<std::string>& ids) {
  std::vector<Client> clients;
  for (const auto& id : ids) clients.push_back(MakeClient(id));
  auto r = store.ImportClients(clients);
  ASSERT_TRUE(r.ok()) << r.message();
}

inline std::vector<std::string> Ids(const std::vector<WorkItem>& items) {
  std::vector<std::string> ids;
  for (const auto& item : items) ids.push_back(item.client.id);
  return ids;
}

inline Download MakeDownload(const std::string& file) {
  Download d;
  d.file = file;
  d.bytes = 1234;
  d.sha256 = std::string(64, 'a');
  return d;
}

}  // namespace boletos::store::testing
