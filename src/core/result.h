#pragma once
// Result<T> and Status: how errors cross module boundaries in boletos.
// A failed Result carries an ErrorKind a caller can branch on and a message
// written for the person who has to fix it (what failed, where, what to do).
// Exceptions may live inside a module; they do not cross into the job loop.

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace boletos {

enum class ErrorKind {
  kTimeout,           // a deadline passed
  kTargetCrashed,     // the page or the browser died
  kConnectionClosed,  // the CDP socket closed
  kProtocolError,     // Chromium answered a command with an error, or sent nonsense
  kPortalError,       // the portal did something the flow did not expect
  kBadInput,          // the user's file, flag or value is wrong; nothing was changed
  kIo,                // the file system or the database failed
  kNotFound,          // a thing asked for does not exist
  kBusy,              // another process holds what we need (the database lock)
  kInterrupted,       // SIGTERM/SIGINT asked us to stop
  kForeignSlip,       // the downloaded boleto belongs to another client
  kInvalidPdf,        // the download is not a well-formed PDF
  kHumanNeeded,       // the portal shows a CAPTCHA or bot challenge: only a person can go on
};

const char* ErrorKindName(ErrorKind kind);

struct Error {
  ErrorKind kind;
  std::string message;
};

inline Error MakeError(ErrorKind kind, std::string message) { return Error{kind, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Error error) : data_(std::move(error)) {}  // NOLINT

  bool ok() const { return data_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(data_); }
  ErrorKind kind() const { return error().kind; }
  const std::string& message() const { return error().message; }

 private:
  std::variant<T, Error> data_;
};

// Status is a Result with nothing to return.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit on purpose
  static Status Ok() { return Status(); }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }
  ErrorKind kind() const { return error_->kind; }
  const std::string& message() const { return error_->message; }

 private:
  std::optional<Error> error_;
};

}  // namespace boletos
