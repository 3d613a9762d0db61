#include "core/redactor.h"

#include <algorithm>

#include "core/secret_forms.h"

namespace boletos {

void Redactor::AddSecret(const std::string& value) {
  if (value.size() < 3) return;
  for (std::string& form : SecretForms(value)) {
    if (std::find(secrets_.begin(), secrets_.end(), form) == secrets_.end()) secrets_.push_back(std::move(form));
  }
  std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Redactor::Redact(std::string text) const {
  static const std::string kMask = "***";
  for (const auto& secret : secrets_) {
    for (size_t pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + kMask.size())) {
      text.replace(pos, secret.size(), kMask);
    }
  }
  return text;
}

}  // namespace boletos
