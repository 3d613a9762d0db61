#pragma once
// Test support: demo slips (demo/slip_maker, written independently of
// src/boleto) as PDF files, and a small multi-page PDF for the caps.

#include <cstdio>
#include <string>
#include <vector>

#include "../store/store_test_support.h"
#include "slip_maker.h"

namespace boletos::boleto::testing {

// The lines the demo portal prints on a slip (demo_portal.cpp, Impl::Pdf).
inline std::vector<std::string> DemoSlipLines(const demo::SlipFacts& f, const std::string& name,
                                              const std::string& document, const std::string& period) {
  return {"BOLETO DE COBRANCA - PORTAL DEMO", "Beneficiario: Portal Demo Servicos Ltda", "Banco: " + f.bank,
          "Pagador: " + name, "CPF/CNPJ: " + document, "Referencia: " + period,
          "Vencimento: " + f.due_printed, "Valor do Documento: R$ " + f.amount_printed,
          "Linha digitavel: " + f.linha_printed};
}

// A PDF of `pages` pages, each showing the given lines (Helvetica, WinAnsi:
// ASCII text only).
inline std::string MultiPagePdf(int pages, const std::vector<std::string>& lines) {
  std::string content = "BT /F1 12 Tf 60 780 Td 16 TL\n";
  for (const auto& line : lines) content += "(" + line + ") Tj T*\n";
  content += "ET";
  std::vector<std::string> objects = {"<< /Type /Catalog /Pages 2 0 R >>", "",
                                      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
                                      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content +
                                          "\nendstream"};
  std::string kids;
  for (int p = 0; p < pages; ++p) {
    kids += std::to_string(5 + p) + " 0 R ";
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                      "/Resources << /Font << /F1 3 0 R >> >> >>");
  }
  objects[1] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>";
  return demo::AssemblePdf(objects);
}

}  // namespace boletos::boleto::testing
