#include "app/open_store.h"

#include <cstdio>

namespace boletos::app {

void SayError(const std::string& message) { std::fprintf(stderr, "boletos: %s\n", message.c_str()); }

std::unique_ptr<store::Store> OpenStoreOrSay(const std::string& db_path, store::SqliteOptions options) {
  auto opened = store::OpenSqliteStore(db_path, std::move(options));
  if (!opened.ok()) {
    SayError(opened.message());
    return nullptr;
  }
  return std::move(*opened);
}

std::optional<PeriodStore> OpenPeriodStoreOrSay(const CommonOptions& o) {
  auto period = o.ResolvePeriod();
  if (!period.ok()) {
    SayError(period.message());
    return std::nullopt;
  }
  auto db = OpenStoreOrSay(o.db);
  if (!db) return std::nullopt;
  return PeriodStore{period->ToString(), std::move(db)};
}

}  // namespace boletos::app
