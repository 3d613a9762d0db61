#pragma once
// Opening the database the way every command does, with the error printed
// for the user.

#include <memory>
#include <string>

#include "store/store.h"

namespace boletos::app {

// Opens the store; on failure prints the error to stderr and returns null.
std::unique_ptr<store::Store> OpenStoreOrSay(const std::string& db_path, store::SqliteOptions options = {});

// Prints "boletos: <message>" to stderr.
void SayError(const std::string& message);

}  // namespace boletos::app
