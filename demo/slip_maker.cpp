#include "slip_maker.h"

#include <cstdio>

namespace boletos::demo {
namespace {

long DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int Mod10(const std::string& digits) {
  int sum = 0, weight = 2;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int p = (*it - '0') * weight;
    sum += p > 9 ? p / 10 + p % 10 : p;
    weight = weight == 2 ? 1 : 2;
  }
  return (10 - sum % 10) % 10;
}

int Mod11Barcode(const std::string& digits43) {
  int sum = 0, weight = 2;
  for (auto it = digits43.rbegin(); it != digits43.rend(); ++it) {
    sum += (*it - '0') * weight;
    weight = weight == 9 ? 2 : weight + 1;
  }
  int dv = 11 - sum % 11;
  return (dv == 0 || dv == 10 || dv == 11) ? 1 : dv;
}

std::string Latin1(const std::string& utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c & 0xE0) == 0xC0 && i + 1 < utf8.size()) {
      unsigned cp = ((c & 0x1F) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3F);
      out += cp < 0x100 ? static_cast<char>(cp) : '?';
    } else {
      out += '?';
      while (i + 1 < utf8.size() && (static_cast<unsigned char>(utf8[i + 1]) & 0xC0) == 0x80) ++i;
    }
  }
  return out;
}

std::string PdfString(const std::string& latin1) {
  std::string out = "(";
  for (char c : latin1) {
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += c;
  }
  return out + ")";
}

}  // namespace

int DueDateFactor(int year, int month, int day) {
  long days = DaysFromCivil(year, month, day) - DaysFromCivil(1997, 10, 7);
  if (days < 1000) return static_cast<int>(days);
  return static_cast<int>((days - 1000) % 9000 + 1000);
}

SlipFacts MakeBankSlip(const std::string& bank, long long amount_cents, int year, int month, int day,
                       const std::string& free_field) {
  SlipFacts f;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d", DueDateFactor(year, month, day));
  std::string factor = buf;
  std::snprintf(buf, sizeof buf, "%010lld", amount_cents);
  std::string amount = buf;
  std::string without_dv = bank + "9" + factor + amount + free_field;  // 43 digits
  int dv = Mod11Barcode(without_dv);
  f.bank = bank;
  f.barcode = bank + "9" + std::to_string(dv) + factor + amount + free_field;
  std::string f1 = bank + "9" + free_field.substr(0, 5);
  std::string f2 = free_field.substr(5, 10);
  std::string f3 = free_field.substr(15, 10);
  f1 += std::to_string(Mod10(f1));
  f2 += std::to_string(Mod10(f2));
  f3 += std::to_string(Mod10(f3));
  f.linha_digitavel = f1 + f2 + f3 + std::to_string(dv) + factor + amount;
  f.linha_printed = f1.substr(0, 5) + "." + f1.substr(5) + " " + f2.substr(0, 5) + "." + f2.substr(5) + " " +
                    f3.substr(0, 5) + "." + f3.substr(5) + " " + std::to_string(dv) + " " + factor + amount;
  std::snprintf(buf, sizeof buf, "%lld.%02lld", amount_cents / 100, amount_cents % 100);
  f.amount = buf;
  long long reais = amount_cents / 100;
  std::string r = std::to_string(reais), grouped;
  for (size_t i = 0; i < r.size(); ++i) {
    if (i && (r.size() - i) % 3 == 0) grouped += '.';
    grouped += r[i];
  }
  std::snprintf(buf, sizeof buf, "%s,%02lld", grouped.c_str(), amount_cents % 100);
  f.amount_printed = buf;
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  f.due_date = buf;
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", day, month, year);
  f.due_printed = buf;
  return f;
}

std::string MakeTextPdf(const std::vector<std::string>& lines) {
  std::string content = "BT /F1 12 Tf 60 780 Td 16 TL\n";
  for (const auto& line : lines) content += PdfString(Latin1(line)) + " Tj T*\n";
  content += "ET";
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
      "/Resources << /Font << /F1 5 0 R >> >> >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
  };
  return AssemblePdf(objects);
}

std::string AssemblePdf(const std::vector<std::string>& objects) {
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  char entry[32];
  for (size_t off : offsets) {
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", off);
    pdf += entry;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

}  // namespace boletos::demo
