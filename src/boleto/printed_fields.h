#pragma once
// The due date and amount a slip prints next to its labels, to cross-check
// what the linha digitável says. Labels are matched without regard to case;
// the value is the first of its shape within a short reach after the label,
// since extracted text may put it on the same line or the next one.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "boleto/civil_date.h"

namespace boletos::boleto {

// The first dd/mm/yyyy (a real day) after a "Vencimento" label.
std::optional<CivilDate> FindPrintedDueDate(std::string_view text);

// The first Brazilian amount (1.234,56 or 1234,56; "R$" may precede it)
// after "Valor do Documento" (or "Valor Documento", "Valor do Boleto"),
// else after any "Valor"; in cents.
std::optional<long long> FindPrintedAmountCents(std::string_view text);

// Every amount the slip prints (as 1.234,56 or 1234,56), under any label
// or none, in cents, in text order; at most 256.
std::vector<long long> AllPrintedAmounts(std::string_view text);

// 123456 -> "1.234,56", the way a slip prints it (for warnings).
std::string PrintedAmount(long long cents);

}  // namespace boletos::boleto
