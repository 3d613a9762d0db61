#pragma once
// Opening the database the way every command does, with the error printed
// for the user.

#include <memory>
#include <optional>
#include <string>

#include "app/common_options.h"
#include "store/store.h"

namespace boletos::app {

// Opens the store; on failure prints the error to stderr and returns null.
std::unique_ptr<store::Store> OpenStoreOrSay(const std::string& db_path, store::SqliteOptions options = {});

// The period the options name and its store, for the commands that read or
// change one period (status, export, retry).
struct PeriodStore {
  std::string period;  // "2026-12"
  std::unique_ptr<store::Store> db;
};
// On failure (a bad --period, a store that does not open) prints the error
// and returns nothing: the command exits 2.
std::optional<PeriodStore> OpenPeriodStoreOrSay(const CommonOptions& o);

// Prints "boletos: <message>" to stderr.
void SayError(const std::string& message);

}  // namespace boletos::app
