#include "boleto/linha_choice.h"

#include "boleto/due_date.h"
#include "boleto/linha.h"
#include "boleto/printed_fields.h"

namespace boletos::boleto {
namespace {

// How a line stands against the printed facts: +1 for each it agrees with,
// -1 for each it contradicts; a fact either side lacks says nothing.
struct Standing {
  int score = 0;
  bool contradicts_both = false;
  std::optional<CivilDate> due;
  std::optional<long long> cents;
};

Standing Judge(const Linha& linha, const PrintedFacts& printed, const CivilDate& reference) {
  Standing s;
  if (auto factor = DueFactor(linha)) s.due = DueDateFromFactor(*factor, reference);
  s.cents = AmountCents(linha);
  int contradictions = 0;
  if (printed.due && s.due) {
    bool same = *printed.due == *s.due;
    s.score += same ? 1 : -1;
    contradictions += same ? 0 : 1;
  }
  if (printed.cents && s.cents) {
    bool same = *printed.cents == *s.cents || printed.PrintsAnywhere(*s.cents);
    s.score += same ? 1 : -1;
    contradictions += same ? 0 : 1;
  }
  s.contradicts_both = contradictions == 2;
  return s;
}

std::string Refusal(const Linha& linha, const Standing& s, const PrintedFacts& printed, size_t others) {
  std::string w = "the valid linha digitável " + linha.digits + " (due " + IsoDate(*s.due) + ", amount " +
                  AmountText(*s.cents) + ") disagrees with both the printed Vencimento " +
                  BrazilianDate(*printed.due) + " and Valor " + PrintedAmount(*printed.cents) + "; not used";
  if (others > 0) w += " (nor " + std::to_string(others) + " other reading" + (others > 1 ? "s" : "") + " of the text)";
  return w;
}

}  // namespace

LinhaChoice ChooseLinha(const std::vector<FoundLinha>& found, const PrintedFacts& printed,
                        const CivilDate& reference) {
  LinhaChoice choice;
  std::vector<Standing> standings;
  for (const FoundLinha& f : found) standings.push_back(Judge(f.linha, printed, reference));

  // found is best fit first, so the first of the highest score is the winner.
  size_t best = found.size();
  for (size_t i = 0; i < found.size(); ++i) {
    if (standings[i].contradicts_both) continue;
    if (best == found.size() || standings[i].score > standings[best].score) best = i;
  }
  if (best == found.size()) {
    if (!found.empty()) choice.warnings.push_back(Refusal(found[0].linha, standings[0], printed, found.size() - 1));
    return choice;
  }
  choice.chosen = &found[best];

  size_t equals = 0;
  for (size_t i = 0; i < found.size(); ++i) {
    const Standing& s = standings[i];
    if (!s.contradicts_both && s.score == standings[best].score && found[i].fit == found[best].fit) ++equals;
  }
  if (equals > 1) {
    choice.warnings.push_back("the text holds " + std::to_string(equals) +
                              " different valid linhas digitáveis; used the first, " + found[best].linha.digits);
  }
  return choice;
}

}  // namespace boletos::boleto
