#pragma once
// Redactor: the one place that knows which strings are secrets (values taken
// from {{env.*}}). Everything that leaves the process - logs, the database,
// failure artifacts - passes through Redact() first. Each secret is masked
// as written and in every encoded form of SecretForms (percent-, JSON-,
// base64-, HTML-encoded).

#include <string>
#include <vector>

namespace boletos {

class Redactor {
 public:
  // Values shorter than 3 characters are not redacted: replacing every "1"
  // in a log would hide everything and protect nothing.
  void AddSecret(const std::string& value);
  std::string Redact(std::string text) const;
  bool empty() const { return secrets_.empty(); }
  // Every secret and its encoded forms, longest first (for masking a page).
  const std::vector<std::string>& secrets() const { return secrets_; }

 private:
  std::vector<std::string> secrets_;  // longest first, so overlapping secrets vanish whole
};

}  // namespace boletos
