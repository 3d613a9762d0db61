#pragma once
// Type-safe reads of a field of a browser message. The browser is an outside
// program: a field may be missing, or of another type than the protocol
// says. nlohmann's value() and get<>() throw type_error then, and const
// operator[] on a missing key is undefined; these never throw and never
// insert: a missing field, a field of another type, or a json that is not
// an object at all gives the fallback (or nullopt / nullptr).
//
// Use them for every read of a CDP reply's result or an event's params.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace boletos::cdp {

// The field key of object, if object is an object and has it; else nullptr.
inline const nlohmann::json* Field(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

// The string at key, or nullopt when absent or not a string.
inline std::optional<std::string> OptionalStringField(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* f = Field(object, key);
  if (f == nullptr || !f->is_string()) return std::nullopt;
  return f->get<std::string>();
}

// The string at key, or fallback when absent or not a string.
inline std::string StringField(const nlohmann::json& object, std::string_view key, std::string fallback = "") {
  auto s = OptionalStringField(object, key);
  return s ? std::move(*s) : std::move(fallback);
}

// The boolean at key, or fallback when absent or not a boolean.
inline bool BoolField(const nlohmann::json& object, std::string_view key, bool fallback = false) {
  const nlohmann::json* f = Field(object, key);
  return f != nullptr && f->is_boolean() ? f->get<bool>() : fallback;
}

// The integer at key, or fallback when absent or not an integer (a float
// such as 200.0 counts when it is whole and in range).
inline int64_t IntField(const nlohmann::json& object, std::string_view key, int64_t fallback = 0) {
  const nlohmann::json* f = Field(object, key);
  if (f == nullptr) return fallback;
  if (f->is_number_integer()) return f->get<int64_t>();
  if (f->is_number_float()) {
    double d = f->get<double>();
    if (d >= -9.0e15 && d <= 9.0e15 && static_cast<double>(static_cast<int64_t>(d)) == d) {
      return static_cast<int64_t>(d);
    }
  }
  return fallback;
}

// The number at key (integer or float), or nullopt when absent or not a number.
inline std::optional<double> NumberField(const nlohmann::json& object, std::string_view key) {
  const nlohmann::json* f = Field(object, key);
  if (f == nullptr || !f->is_number()) return std::nullopt;
  return f->get<double>();
}

// The object at key, or an empty object when absent or not an object; for
// nested reads (ObjectField(params, "targetInfo")).
inline const nlohmann::json& ObjectField(const nlohmann::json& object, std::string_view key) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const nlohmann::json* f = Field(object, key);
  return f != nullptr && f->is_object() ? *f : kEmpty;
}

}  // namespace boletos::cdp
