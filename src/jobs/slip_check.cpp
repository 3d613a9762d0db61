#include "jobs/slip_check.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

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

std::string DigitsOnly(const std::string& s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9') d += c;
  }
  return d;
}

std::string Describe(const std::string& head) {
  std::string shown;
  for (char c : head.substr(0, 20)) shown += (c >= 0x20 && c < 0x7f) ? c : '.';
  return shown;
}

}  // namespace

SlipCheck::SlipCheck(int max_pdf_mb, Period period)
    : max_bytes_(static_cast<int64_t>(max_pdf_mb) * 1024 * 1024), period_(period) {}

Result<SlipVerdict> SlipCheck::Check(const std::string& pdf_path, const std::vector<std::string>& needles,
                                     bool needles_are_document) const {
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
  if (!doc || doc->is_locked() || doc->pages() <= 0) {
    return MakeError(ErrorKind::kInvalidPdf, "poppler cannot open the PDF or count its pages");
  }
  std::string text;
  int pages = std::min(doc->pages(), 20);  // a slip is a page or two; a hostile PDF gets no more
  for (int i = 0; i < pages; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    auto utf8 = page->text().to_utf8();
    text.append(utf8.begin(), utf8.end());
    text += '\n';
  }

  SlipVerdict verdict;
  verdict.belongs = true;
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
