#include "boleto/printed_fields.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace boletos::boleto {
namespace {

// How far after a label its value may sit: past the rest of a table row
// in layout text, not into the next box of the slip.
constexpr size_t kReach = 160;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Offsets just past each occurrence of label (ASCII, lower case) in text.
// Spaces inside the label's words are allowed in the text: some text layers
// letter-space their labels ("Data do Ve ncim e nto"). A space in the label
// needs at least one space in the text.
std::vector<size_t> LabelEnds(std::string_view text, std::string_view label) {
  std::vector<size_t> ends;
  if (label.empty() || text.size() < label.size()) return ends;
  for (size_t i = 0; i + label.size() <= text.size(); ++i) {
    size_t k = 0, t = i;
    while (k < label.size() && t < text.size()) {
      if (label[k] == ' ') {
        if (text[t] != ' ') break;
        while (t < text.size() && text[t] == ' ') ++t;
        ++k;
        continue;
      }
      if (k > 0 && text[t] == ' ') {
        ++t;
        continue;
      }
      if (std::tolower(static_cast<unsigned char>(text[t])) != label[k]) break;
      ++k;
      ++t;
    }
    if (k == label.size()) ends.push_back(t);
  }
  return ends;
}

std::optional<CivilDate> DateAt(std::string_view text, size_t i) {
  if (i + 10 > text.size() || (i > 0 && IsDigit(text[i - 1]))) return std::nullopt;
  if (i + 10 < text.size() && IsDigit(text[i + 10])) return std::nullopt;
  return ParseBrazilianDate(text.substr(i, 10));
}

// An amount starting at i: digits in groups of three after a first group
// of 1..3 (or plain digits), a comma, exactly two digits.
std::optional<long long> AmountAt(std::string_view text, size_t i) {
  if (i >= text.size() || !IsDigit(text[i])) return std::nullopt;
  if (i > 0 && (IsDigit(text[i - 1]) || text[i - 1] == '.' || text[i - 1] == ',')) return std::nullopt;
  std::string integer;
  size_t j = i, group = 0;
  bool dotted = false, first = true;
  while (j < text.size() && (IsDigit(text[j]) || text[j] == '.')) {
    if (text[j] == '.') {
      if ((first && (group == 0 || group > 3)) || (!first && group != 3)) return std::nullopt;
      dotted = true;
      first = false;
      group = 0;
    } else {
      integer += text[j];
      ++group;
    }
    ++j;
  }
  if (dotted && group != 3) return std::nullopt;
  if (integer.empty() || integer.size() > 13) return std::nullopt;
  if (j + 3 > text.size() || text[j] != ',' || !IsDigit(text[j + 1]) || !IsDigit(text[j + 2])) return std::nullopt;
  if (j + 3 < text.size() && IsDigit(text[j + 3])) return std::nullopt;
  return std::stoll(integer) * 100 + (text[j + 1] - '0') * 10 + (text[j + 2] - '0');
}

template <class Reader>
auto FirstAfter(std::string_view text, std::string_view label, Reader read) -> decltype(read(text, 0)) {
  for (size_t end : LabelEnds(text, label)) {
    size_t stop = std::min(text.size(), end + kReach);
    for (size_t i = end; i < stop; ++i) {
      if (auto value = read(text, i)) return value;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<CivilDate> FindPrintedDueDate(std::string_view text) {
  return FirstAfter(text, "vencimento", DateAt);
}

std::optional<long long> FindPrintedAmountCents(std::string_view text) {
  for (std::string_view label : {"valor do documento", "valor documento", "valor do boleto"}) {
    if (auto v = FirstAfter(text, label, AmountAt)) return v;
  }
  return FirstAfter(text, "valor", AmountAt);
}

std::vector<long long> AllPrintedAmounts(std::string_view text) {
  std::vector<long long> all;
  for (size_t i = 0; i < text.size() && all.size() < 256; ++i) {
    if (auto v = AmountAt(text, i)) all.push_back(*v);
  }
  return all;
}

std::string PrintedAmount(long long cents) {
  std::string reais = std::to_string(cents / 100), grouped;
  for (size_t i = 0; i < reais.size(); ++i) {
    if (i > 0 && (reais.size() - i) % 3 == 0) grouped += '.';
    grouped += reais[i];
  }
  std::string c = std::to_string(cents % 100);
  return grouped + "," + (c.size() < 2 ? "0" + c : c);
}

}  // namespace boletos::boleto
