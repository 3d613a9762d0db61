#pragma once
// Finding the linha digitável in a slip's extracted text. PDF text comes in
// printed groups ("23790.10107 90000.000001 61032.644603 2 95600000010000"),
// split over lines, as one bare run of digits, among other numbers (agency,
// nosso número, CPF, dates), and wrapped with other text read between its
// pieces (a bank code "033-7" beside a line too wide for its cell). No single
// regex survives that, so the scanner reports every reading whose check
// digits hold (linha.h), each with how a person would have to read it.

#include <string>
#include <string_view>
#include <vector>

#include "boleto/linha.h"

namespace boletos::boleto {

// How a line's digits sat in the text, most natural first.
enum class LinhaFit {
  kAdjacent,   // whole digit groups, only spaces, dots, hyphens or line breaks between
  kGlued,      // adjacent, but one end inside a run of other digits
  kAssembled,  // whole groups in order, stepping over a bank code, label or date
               // that a line break put between them (at most two steps)
};

struct FoundLinha {
  Linha linha;
  LinhaFit fit = LinhaFit::kAdjacent;
  int skips = 0;  // kAssembled: how many interpositions it steps over; else 0
};

struct LinhaScan {
  // Distinct valid lines, by fit (then fewer skips), then in order of
  // appearance. Check digits alone cannot rank them: a misreading of a bank
  // line's last group passes one time in eleven (linha_choice.h).
  std::vector<FoundLinha> found;
  // When nothing was found: why the first chain of exactly 47 or 48 digits
  // (the shape of a linha) was refused, e.g. "field 2 check digit is ...".
  std::string near_miss;
};

// Any bytes in (UTF-8 or not); never throws; time linear in text.size().
LinhaScan ScanForLinhas(std::string_view text);

}  // namespace boletos::boleto
