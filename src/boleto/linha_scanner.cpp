#include "boleto/linha_scanner.h"

#include <algorithm>

#include "boleto/check_digits.h"

namespace boletos::boleto {
namespace {

// How far an assembled line may step. A line wraps at most twice on a slip,
// never inside its first field ("23790.10107" has no space), so a step
// starts where a text line ends; what lands between the pieces is a bank code
// ("033-7": two groups), a label or a date, not a paragraph. Layout text pads
// lines with spaces, so whitespace counts only toward the loose byte bound.
// kMaxTriesPerStart bounds the search from one group, keeping the scan
// linear on hostile text ("9\n9\n9..." passes field 1 everywhere); a real
// wrapped line is found within about twenty tries.
constexpr int kMaxSteps = 2;
constexpr size_t kMaxSteppedGroups = 4;
constexpr size_t kMaxSteppedVisibleBytes = 40;
constexpr size_t kMaxSteppedBytes = 400;
constexpr int kMaxTriesPerStart = 64;
constexpr size_t kMinFirstPiece = 10;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// What may sit between the groups of one printed line. A comma, slash,
// letter or '$' ends the chain: amounts (1.234,56), dates and labels are
// other numbers, not parts of the line.
size_t SeparatorLength(std::string_view text, size_t i) {
  if (IsSpace(text[i]) || text[i] == '.' || text[i] == '-') return 1;
  // U+00A0 NO-BREAK SPACE in UTF-8, which some generators print between groups.
  if (static_cast<unsigned char>(text[i]) == 0xC2 && i + 1 < text.size() &&
      static_cast<unsigned char>(text[i + 1]) == 0xA0) {
    return 2;
  }
  return 0;
}

bool OnlySeparators(std::string_view text, size_t from, size_t to) {
  for (size_t i = from; i < to;) {
    size_t sep = SeparatorLength(text, i);
    if (sep == 0) return false;
    i += sep;
  }
  return true;
}

// A maximal run of digits: [begin, end) in the text.
struct Group {
  size_t begin, end;
  size_t size() const { return end - begin; }
};

std::vector<Group> SplitIntoGroups(std::string_view text) {
  std::vector<Group> groups;
  for (size_t i = 0; i < text.size();) {
    if (!IsDigit(text[i])) {
      ++i;
      continue;
    }
    size_t begin = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    groups.push_back(Group{begin, i});
  }
  return groups;
}

// A run of digit groups with only separators between them.
struct Chain {
  std::string digits;
  std::vector<bool> boundary;  // boundary[i]: a group starts or ends at offset i
};

std::vector<Chain> JoinIntoChains(std::string_view text, const std::vector<Group>& groups) {
  std::vector<Chain> chains;
  Chain current;
  auto close = [&] {
    if (current.digits.size() >= 47) chains.push_back(std::move(current));
    current = Chain{};
  };
  for (size_t g = 0; g < groups.size(); ++g) {
    if (g > 0 && !OnlySeparators(text, groups[g - 1].end, groups[g].begin)) close();
    if (current.boundary.empty()) current.boundary.push_back(true);
    current.digits.append(text.substr(groups[g].begin, groups[g].size()));
    current.boundary.resize(current.digits.size() + 1, false);
    current.boundary.back() = true;
  }
  close();
  return chains;
}

// Cheap shape tests before the check digits: a bank slip in reais has
// currency code 9; a collection slip starts with 8 and its value-reference
// digit is 6..9. They cut false matches among unrelated numbers tenfold.
bool LooksLikeBank(std::string_view w) { return w[3] == '9'; }
bool LooksLikeCollection(std::string_view w) { return w[0] == '8' && w[2] >= '6' && w[2] <= '9'; }

Result<Linha> ParseIfShaped(std::string_view w) {
  if (w.size() == 48 ? !LooksLikeCollection(w) : !LooksLikeBank(w)) {
    return MakeError(ErrorKind::kBadInput, "not shaped like a line");
  }
  return ParseLinha(w);
}

// The valid line starting at `start` in chain c, 48 digits tried first
// (a collection slip also contains 47-digit windows); need_end_boundary
// asks that the window end where a group ends.
std::optional<Linha> TryAt(const Chain& c, size_t start, bool need_end_boundary) {
  for (size_t len : {48u, 47u}) {
    if (start + len > c.digits.size()) continue;
    if (need_end_boundary && !c.boundary[start + len]) continue;
    auto parsed = ParseIfShaped(std::string_view(c.digits.data() + start, len));
    if (parsed.ok()) return std::move(parsed).value();
  }
  return std::nullopt;
}

void AddDistinct(std::vector<FoundLinha>& found, FoundLinha f) {
  bool seen = std::any_of(found.begin(), found.end(),
                          [&](const FoundLinha& o) { return o.linha.digits == f.linha.digits; });
  if (!seen) found.push_back(std::move(f));
}

// Windows of the chains. strict: both ends on group boundaries; otherwise
// one end is enough (a line glued to other digits).
void ScanChains(const std::vector<Chain>& chains, bool strict, std::vector<FoundLinha>& found) {
  for (const Chain& c : chains) {
    size_t n = c.digits.size();
    for (size_t start = 0; start + 47 <= n;) {
      std::optional<Linha> hit;
      if (c.boundary[start]) hit = TryAt(c, start, strict);
      if (!hit && !strict) {
        // Start glued to noise: the window must end where a group ends.
        for (size_t len : {48u, 47u}) {
          if (start + len > n || !c.boundary[start + len]) continue;
          auto parsed = ParseIfShaped(std::string_view(c.digits.data() + start, len));
          if (parsed.ok()) {
            hit = std::move(parsed).value();
            break;
          }
        }
      }
      if (hit) {
        start += hit->digits.size();
        AddDistinct(found, FoundLinha{std::move(*hit), strict ? LinhaFit::kAdjacent : LinhaFit::kGlued, 0});
      } else {
        ++start;
      }
    }
  }
}

// Whether some line could begin with these digits: the shape and every
// check digit complete so far. Prunes the assembly's search at the first
// field that fails, so it stays linear in the text.
bool ViablePrefix(std::string_view p) {
  if (p.empty()) return true;
  if (p[0] != '8') {
    if (p.size() > 47 || (p.size() > 3 && p[3] != '9')) return false;
    for (auto [at, len] : {std::pair<size_t, size_t>{0, 9}, {10, 10}, {21, 10}}) {
      if (p.size() <= at + len) break;
      if (Mod10(p.substr(at, len)) != p[at + len] - '0') return false;
    }
    return true;
  }
  if (p.size() > 48 || (p.size() > 2 && (p[2] < '6' || p[2] > '9'))) return false;
  if (p.size() < 3) return true;
  int (*rule)(std::string_view) = p[2] <= '7' ? Mod10 : Mod11Collection;
  for (size_t b = 0; b < 4 && p.size() > b * 12 + 11; ++b) {
    if (rule(p.substr(b * 12, 11)) != p[b * 12 + 11] - '0') return false;
  }
  return true;
}

// Lines whose pieces the text keeps apart: whole groups in order, stepping
// over at most a few short interpositions (a wrapped line with the bank
// code, a label or a date read between its halves).
class Assembler {
 public:
  Assembler(std::string_view text, const std::vector<Group>& groups) : text_(text), groups_(groups) {}

  std::vector<FoundLinha> Run() {
    for (size_t g = 0; g < groups_.size(); ++g) {
      if (groups_[g].size() > 48) continue;
      digits_.assign(text_.substr(groups_[g].begin, groups_[g].size()));
      tries_left_ = kMaxTriesPerStart;
      if (ViablePrefix(digits_)) Extend(g, 0);
    }
    // Fewer steps first; within a count, in order of appearance.
    std::stable_sort(found_.begin(), found_.end(),
                     [](const FoundLinha& a, const FoundLinha& b) { return a.skips < b.skips; });
    return std::move(found_);
  }

 private:
  // digits_ ends with group g; `steps` interpositions stepped over so far.
  void Extend(size_t g, int steps) {
    if (steps > 0 && (digits_.size() == 47 || digits_.size() == 48)) {
      auto parsed = ParseIfShaped(digits_);
      if (parsed.ok()) found_.push_back(FoundLinha{std::move(parsed).value(), LinhaFit::kAssembled, steps});
    }
    if (digits_.size() >= 48) return;
    size_t last = std::min(groups_.size(), g + 2 + kMaxSteppedGroups);
    for (size_t next = g + 1; next < last; ++next) {
      size_t from = groups_[g].end, to = groups_[next].begin;
      bool adjacent = next == g + 1 && OnlySeparators(text_, from, to);
      if (!adjacent && !CanStep(steps, from, to)) {
        if (steps == kMaxSteps || to - from > kMaxSteppedBytes) break;  // nor can any further group
        continue;
      }
      if (digits_.size() + groups_[next].size() > 48) continue;
      if (--tries_left_ < 0) return;
      size_t kept = digits_.size();
      digits_.append(text_.substr(to, groups_[next].size()));
      if (ViablePrefix(digits_)) Extend(next, steps + (adjacent ? 0 : 1));
      digits_.resize(kept);
    }
  }

  // Whether a reader would step over text_[from, to) to the next piece: the
  // piece so far ends its text line (where a wrap happens) and what follows
  // is short.
  bool CanStep(int steps, size_t from, size_t to) const {
    if (steps == kMaxSteps || to - from > kMaxSteppedBytes || digits_.size() < kMinFirstPiece) return false;
    size_t i = from;
    while (i < to && (text_[i] == ' ' || text_[i] == '\t')) ++i;
    if (i == to || (text_[i] != '\n' && text_[i] != '\r' && text_[i] != '\f')) return false;
    size_t visible = 0;
    for (; i < to; ++i) visible += IsSpace(text_[i]) ? 0 : 1;
    return visible <= kMaxSteppedVisibleBytes;
  }

  std::string_view text_;
  const std::vector<Group>& groups_;
  std::string digits_;
  int tries_left_ = 0;
  std::vector<FoundLinha> found_;
};

}  // namespace

LinhaScan ScanForLinhas(std::string_view text) {
  LinhaScan scan;
  std::vector<Group> groups = SplitIntoGroups(text);
  std::vector<Chain> chains = JoinIntoChains(text, groups);
  ScanChains(chains, /*strict=*/true, scan.found);
  ScanChains(chains, /*strict=*/false, scan.found);
  for (FoundLinha& f : Assembler(text, groups).Run()) AddDistinct(scan.found, std::move(f));
  if (scan.found.empty()) {
    for (const Chain& c : chains) {
      if (c.digits.size() != 47 && c.digits.size() != 48) continue;
      auto parsed = ParseLinha(c.digits);
      if (!parsed.ok()) {
        scan.near_miss = "the " + std::to_string(c.digits.size()) + "-digit line " + c.digits + " does not check: " +
                         parsed.message();
        break;
      }
    }
  }
  return scan;
}

}  // namespace boletos::boleto
