// libFuzzer target: the linha digitável scanner and the whole slip reader
// on arbitrary bytes (PDF text is attacker-controlled). Anything found
// must re-validate, so a crash or a false "valid" both surface.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "boleto/linha.h"
#include "boleto/linha_scanner.h"
#include "boleto/slip_reading.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  boletos::boleto::LinhaScan scan = boletos::boleto::ScanForLinhas(text);
  for (const auto& found : scan.found) {
    const boletos::boleto::Linha& linha = found.linha;
    auto again = boletos::boleto::ParseLinha(linha.digits);
    if (!again.ok() || again->barcode != linha.barcode) std::abort();
    auto back = boletos::boleto::LinhaFromBarcode(linha.barcode);
    if (!back.ok() || back->digits != linha.digits) std::abort();
  }
  boletos::boleto::SlipReading reading = boletos::boleto::ReadSlip(text, {2026, 12, 15});
  // The reading uses one of the scanned lines (the printed facts pick which).
  bool scanned = false;
  for (const auto& found : scan.found) scanned |= found.linha.digits == reading.linha;
  if (!reading.linha.empty() && !scanned) std::abort();
  return 0;
}
