#pragma once
// The demo portal's boletos: deterministic per client and period, each a
// valid PDF with the client's name and document and a real, valid linha
// digitável (FEBRABAN rules, written here independently of src/boleto so
// the tests compare two implementations, not one with itself).

#include <string>
#include <vector>

namespace boletos::demo {

struct SlipFacts {
  std::string bank;             // "237"
  std::string barcode;          // 44 digits
  std::string linha_digitavel;  // 47 digits
  std::string linha_printed;    // "23790.10107 90000.000001 ..."
  std::string amount;           // "1234.56"
  std::string amount_printed;   // "1.234,56"
  std::string due_date;         // "2026-12-10"
  std::string due_printed;      // "10/12/2026"
};

// The due-date factor: days since 1997-10-07, restarting at 1000 on 2025-02-22.
int DueDateFactor(int year, int month, int day);

// A bank slip from its parts; free_field has 25 digits.
SlipFacts MakeBankSlip(const std::string& bank, long long amount_cents, int year, int month, int day,
                       const std::string& free_field);

// A PDF file of these objects, numbered from 1 (the first is the catalog),
// with its cross-reference table and trailer.
std::string AssemblePdf(const std::vector<std::string>& objects);

// A one-page PDF with these lines of text (UTF-8 in, WinAnsi in the file).
std::string MakeTextPdf(const std::vector<std::string>& lines);

}  // namespace boletos::demo
