// SqliteStore: clients (import) and the work queue read from them.

#include <unordered_set>

#include <SQLiteCpp/Transaction.h>

#include "core/iso_time.h"
#include "store/sqlite_error.h"
#include "store/sqlite_store.h"
#include "store/store_names.h"
#include "core/utf8.h"

namespace boletos::store {
namespace {

using nlohmann::json;

Status CheckClient(const Client& c) {
  if (c.id.empty()) return MakeError(ErrorKind::kBadInput, "a client has an empty id: every client needs one");
  auto bad = [&](const std::string& what) {
    return MakeError(ErrorKind::kBadInput, "client " + c.id + ": " + what + " is not valid UTF-8");
  };
  if (!IsValidUtf8(c.id)) return bad("its id");
  if (!IsValidUtf8(c.name)) return bad("its name");
  if (!IsValidUtf8(c.document)) return bad("its document");
  for (const auto& [key, value] : c.columns) {
    if (!IsValidUtf8(key) || !IsValidUtf8(value)) return bad("column " + key);
  }
  return Status::Ok();
}

// Every column by name, with id and name always present, so {{client.id}}
// and {{client.name}} resolve whoever built the Client.
std::string ColumnsJson(const Client& c) {
  json j = json::object();
  for (const auto& [key, value] : c.columns) j[key] = value;
  j["id"] = c.id;
  j["name"] = c.name;
  if (!c.document.empty() || j.contains("document")) j["document"] = c.document;
  return j.dump();
}

Client ReadClient(const std::string& id, const std::string& name, const std::string& document,
                  const std::string& columns_json) {
  Client c;
  c.id = id;
  c.name = name;
  c.document = document;
  json j = json::parse(columns_json);
  for (const auto& [key, value] : j.items()) c.columns[key] = value.get<std::string>();
  return c;
}

// Reads c.id, c.name, c.document, c.columns, j.status, j.attempts.
WorkItem ReadWorkItem(SQLite::Statement& q) {
  WorkItem item;
  item.client = ReadClient(q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                           q.getColumn(3).getString());
  if (!q.getColumn(4).isNull()) {
    item.status = ParseJobStatus(q.getColumn(4).getString()).value_or(JobStatus::kPending);
    item.attempts = q.getColumn(5).getInt();
  }
  return item;
}

// Clients with no job row for the period, or a pending/retrying row with
// attempts left. The LEFT JOIN walks clients by primary key and probes jobs
// by its (client_id, period) key: no sort, no temporary table.
constexpr const char* kWorkFilter =
    " FROM clients c LEFT JOIN jobs j ON j.client_id = c.id AND j.period = :period"
    " WHERE (j.status IS NULL OR (j.status IN ('pending','retrying') AND j.attempts < :max_attempts))";

}  // namespace

Result<ImportSummary> SqliteStore::ImportClients(const std::vector<Client>& clients) {
  std::unordered_set<std::string> seen;
  for (const Client& c : clients) {
    if (Status s = CheckClient(c); !s.ok()) return s.error();
    if (!seen.insert(c.id).second) {
      return MakeError(ErrorKind::kBadInput, "client id " + c.id + " appears twice: nothing was imported");
    }
  }
  // Everything but the writes happens before the transaction, so a run
  // waits for the write lock as briefly as can be.
  std::vector<std::string> columns;
  columns.reserve(clients.size());
  for (const Client& c : clients) columns.push_back(ColumnsJson(c));
  std::lock_guard lock(mu_);
  return Guarded(path_, "import clients", [&]() -> Result<ImportSummary> {
    SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement exists(*db_, "SELECT 1 FROM clients WHERE id = ?");
    SQLite::Statement upsert(*db_,
                             "INSERT INTO clients (id, name, document, columns, imported_at) VALUES (?, ?, ?, ?, ?)"
                             " ON CONFLICT (id) DO UPDATE SET name = excluded.name, document = excluded.document,"
                             " columns = excluded.columns, imported_at = excluded.imported_at");
    const std::string now = NowIso();
    ImportSummary summary;
    for (size_t i = 0; i < clients.size(); ++i) {
      const Client& c = clients[i];
      exists.bind(1, c.id);
      bool known = exists.executeStep();
      exists.reset();
      upsert.bind(1, c.id);
      upsert.bind(2, c.name);
      upsert.bind(3, c.document);
      upsert.bind(4, columns[i]);
      upsert.bind(5, now);
      upsert.exec();
      upsert.reset();
      ++(known ? summary.updated : summary.inserted);
    }
    tx.commit();
    return summary;
  });
}

Result<std::vector<WorkItem>> SqliteStore::NextWork(const std::string& period, const std::string& after_id,
                                                    int limit, int max_attempts) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "read the next clients", [&]() -> Result<std::vector<WorkItem>> {
    std::vector<WorkItem> items;
    if (limit <= 0) return items;
    SQLite::Statement q(*db_, std::string("SELECT c.id, c.name, c.document, c.columns, j.status, j.attempts") +
                                  kWorkFilter + " AND c.id > :after ORDER BY c.id LIMIT :limit");
    q.bind(":period", period);
    q.bind(":max_attempts", max_attempts);
    q.bind(":after", after_id);
    q.bind(":limit", limit);
    items.reserve(static_cast<size_t>(limit));
    while (q.executeStep()) items.push_back(ReadWorkItem(q));
    return items;
  });
}

Result<std::optional<WorkItem>> SqliteStore::WorkFor(const std::string& period, const std::string& client_id,
                                                     int max_attempts) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "read client " + client_id, [&]() -> Result<std::optional<WorkItem>> {
    SQLite::Statement q(*db_, std::string("SELECT c.id, c.name, c.document, c.columns, j.status, j.attempts") +
                                  kWorkFilter + " AND c.id = :id");
    q.bind(":period", period);
    q.bind(":max_attempts", max_attempts);
    q.bind(":id", client_id);
    if (!q.executeStep()) return std::optional<WorkItem>();
    return std::optional<WorkItem>(ReadWorkItem(q));
  });
}

Result<int> SqliteStore::CountWork(const std::string& period, int max_attempts) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "count the pending clients", [&]() -> Result<int> {
    SQLite::Statement q(*db_, std::string("SELECT count(*)") + kWorkFilter);
    q.bind(":period", period);
    q.bind(":max_attempts", max_attempts);
    q.executeStep();
    return q.getColumn(0).getInt();
  });
}

Result<std::string> SqliteStore::FileOwner(const std::string& period, const std::string& file) {
  std::lock_guard lock(mu_);
  return Guarded(path_, "look up the owner of " + file, [&]() -> Result<std::string> {
    SQLite::Statement q(*db_,
                        "SELECT client_id FROM jobs WHERE period = ? AND file = ? AND status = 'done'"
                        " ORDER BY client_id LIMIT 1");
    q.bind(1, period);
    q.bind(2, file);
    if (!q.executeStep()) return std::string();
    return q.getColumn(0).getString();
  });
}

}  // namespace boletos::store
