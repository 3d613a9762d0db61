#include "jobs/slip_check.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "core/digits.h"
#include "boleto/slip_reading.h"

namespace boletos::jobs {
namespace {

// Real slips make poppler complain by the hundred and still read fine
// (CHROMIUM-NOTES.md): its messages are noise here.
void SilencePoppler() {
  static bool done = [] {
    poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr);
    return true;
  }();
  (void)done;
}


std::string Describe(const std::string& head) {
  std::string shown;
  for (char c : head.substr(0, 20)) shown += (c >= 0x20 && c < 0x7f) ? c : '.';
  return shown;
}

struct PdfText {
  std::string text;
  std::vector<std::string> warnings;  // why the text may be incomplete
};

// The text of the first pages, bounded in pages and in time: a slip is a
// page or two, and a hostile or pathological PDF must not stall the run.
PdfText ReadText(poppler::document& doc, int max_pages, std::chrono::milliseconds budget) {
  PdfText out;
  auto start = std::chrono::steady_clock::now();
  int total = doc.pages();
  int pages = std::min(total, max_pages);
  for (int i = 0; i < pages; ++i) {
    auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    if (i > 0 && spent >= budget) {
      out.warnings.push_back("stopped reading the PDF's text after " + std::to_string(i) + " of " +
                             std::to_string(total) + " pages: it took over " + std::to_string(budget.count()) +
                             " ms");
      return out;
    }
    std::unique_ptr<poppler::page> page(doc.create_page(i));
    if (!page) continue;
    auto utf8 = page->text().to_utf8();
    out.text.append(utf8.begin(), utf8.end());
    out.text += '\n';
  }
  if (total > pages) {
    out.warnings.push_back("read the text of the first " + std::to_string(pages) + " of " + std::to_string(total) +
                           " pages only");
  }
  return out;
}

store::SlipFacts FactsFrom(const std::string& text, const Period& period, std::vector<std::string> warnings) {
  // Mid-month: the factor's readings are 9000 days apart, any day of the
  // period picks the same one; the middle is the honest "this period".
  boleto::SlipReading reading = boleto::ReadSlip(text, boleto::CivilDate{period.year, period.month, 15});
  store::SlipFacts facts;
  facts.linha_digitavel = reading.linha;
  facts.barcode = reading.barcode;
  facts.bank = reading.bank;
  facts.amount = reading.amount;
  facts.due_date = reading.due_date;
  facts.warnings = std::move(warnings);
  facts.warnings.insert(facts.warnings.end(), reading.warnings.begin(), reading.warnings.end());
  return facts;
}

}  // namespace

SlipCheck::SlipCheck(int max_pdf_mb, Period period, std::chrono::milliseconds text_budget)
    : max_bytes_(static_cast<int64_t>(max_pdf_mb) * 1024 * 1024), period_(period), text_budget_(text_budget) {}

Result<SlipVerdict> SlipCheck::Check(const std::string& pdf_path, const std::vector<std::string>& needles,
                                     bool needles_are_document, const std::vector<std::string>& passwords) const {
  SilencePoppler();
  std::error_code ec;
  auto size = static_cast<int64_t>(std::filesystem::file_size(pdf_path, ec));
  if (ec) return MakeError(ErrorKind::kIo, "cannot read the download " + pdf_path + ": " + ec.message());
  if (size > max_bytes_) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "the PDF is %.1f MB, over max_pdf_mb %lld", size / 1048576.0,
                  static_cast<long long>(max_bytes_ / 1048576));
    return MakeError(ErrorKind::kInvalidPdf, buf);
  }
  std::ifstream in(pdf_path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.rfind("%PDF-", 0) != 0) {
    bool html = bytes.find("<html") != std::string::npos || bytes.find("<!DOCTYPE") != std::string::npos ||
                bytes.find("<!doctype") != std::string::npos;
    return MakeError(ErrorKind::kInvalidPdf, std::string("not a PDF: the file starts with '") + Describe(bytes) + "'" +
                                                 (html ? " (the portal sent an HTML page)" : ""));
  }
  size_t tail_start = bytes.size() > 1024 ? bytes.size() - 1024 : 0;
  if (bytes.find("%%EOF", tail_start) == std::string::npos) {
    return MakeError(ErrorKind::kInvalidPdf,
                     "the PDF is cut short: no %%EOF at its end (" + std::to_string(bytes.size()) + " bytes)");
  }
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (doc && doc->is_locked()) {
    bool opened = false;
    for (const auto& password : passwords) {
      // One password, as the user's or the owner's: portals set either.
      doc->unlock(password, password);
      if (!doc->is_locked()) {
        opened = true;
        break;
      }
    }
    if (!opened) {
      return MakeError(ErrorKind::kInvalidPdf,
                       passwords.empty() ? "the PDF is password-protected: give the flow a pdf_password (e.g. "
                                           "\"{{client.document}}\", whose digits are tried too)"
                                         : "the PDF is password-protected and the flow's pdf_password does not open it");
    }
  }
  if (!doc || doc->is_locked() || doc->pages() <= 0) {
    return MakeError(ErrorKind::kInvalidPdf, "poppler cannot open the PDF or count its pages");
  }
  PdfText read = ReadText(*doc, kMaxTextPages, text_budget_);
  const std::string& text = read.text;

  SlipVerdict verdict;
  verdict.belongs = true;
  verdict.facts = FactsFrom(text, period_, std::move(read.warnings));
  std::string text_digits = DigitsOnly(text);
  for (const auto& needle : needles) {
    // A document matches with or without its punctuation; other needles as written.
    bool found = needles_are_document ? (!DigitsOnly(needle).empty() &&
                                         (text.find(needle) != std::string::npos ||
                                          text_digits.find(DigitsOnly(needle)) != std::string::npos))
                                      : text.find(needle) != std::string::npos;
    if (!found) {
      verdict.belongs = false;
      verdict.missing = (needles_are_document ? "the client's document " : "") + needle;
      break;
    }
  }
  return verdict;
}

}  // namespace boletos::jobs
