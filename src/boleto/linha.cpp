#include "boleto/linha.h"

#include "boleto/check_digits.h"

namespace boletos::boleto {
namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

Error Bad(std::string message) { return MakeError(ErrorKind::kBadInput, std::move(message)); }

Error WrongDigit(const std::string& what, char printed, int computed) {
  return Bad(what + " check digit is " + std::string(1, printed) + " but its digits give " +
             std::to_string(computed) + ": the line was misread or mistyped");
}

// The rule of a collection slip, from its value-reference digit; nullptr
// when the digit is not one of 6, 7, 8, 9.
using Rule = int (*)(std::string_view);
Rule CollectionRule(char reference) {
  if (reference == '6' || reference == '7') return Mod10;
  if (reference == '8' || reference == '9') return Mod11Collection;
  return nullptr;
}

Result<Linha> ParseBank(std::string_view l) {
  struct Field {
    size_t at, len;
    const char* name;
  };
  for (Field f : {Field{0, 9, "field 1"}, Field{10, 10, "field 2"}, Field{21, 10, "field 3"}}) {
    int dv = Mod10(l.substr(f.at, f.len));
    if (dv != l[f.at + f.len] - '0') return WrongDigit(f.name, l[f.at + f.len], dv);
  }
  Linha linha;
  linha.kind = SlipKind::kBank;
  linha.digits = std::string(l);
  // Barcode: bank+currency, general DV, factor+amount, then the free field
  // the three fields carry without their check digits.
  linha.barcode = std::string(l.substr(0, 4)) + l[32] + std::string(l.substr(33, 14)) + std::string(l.substr(4, 5)) +
                  std::string(l.substr(10, 10)) + std::string(l.substr(21, 10));
  int general = Mod11Bank(linha.barcode.substr(0, 4) + linha.barcode.substr(5));
  if (general != l[32] - '0') return WrongDigit("general (barcode)", l[32], general);
  return linha;
}

Result<Linha> ParseCollection(std::string_view l) {
  Rule rule = CollectionRule(l[2]);
  if (!rule) {
    return Bad(std::string("the value-reference digit (3rd) is ") + l[2] +
               "; a collection slip has 6, 7, 8 or 9 there");
  }
  Linha linha;
  linha.kind = SlipKind::kCollection;
  linha.digits = std::string(l);
  for (int b = 0; b < 4; ++b) {
    std::string_view block = l.substr(b * 12, 11);
    int dv = rule(block);
    if (dv != l[b * 12 + 11] - '0') return WrongDigit("block " + std::to_string(b + 1), l[b * 12 + 11], dv);
    linha.barcode += block;
  }
  int general = rule(linha.barcode.substr(0, 3) + linha.barcode.substr(4));
  if (general != linha.barcode[3] - '0') return WrongDigit("general", linha.barcode[3], general);
  return linha;
}

}  // namespace

Result<Linha> ParseLinha(std::string_view digits) {
  if (!AllDigits(digits)) return Bad("a linha digitável is digits only; strip the dots and spaces first");
  if (digits.size() == 48) {
    if (digits[0] != '8') return Bad("a 48-digit linha digitável (collection slip) starts with 8");
    return ParseCollection(digits);
  }
  if (digits.size() == 47) {
    // A barcode starting with 8 is a collection slip's, so a bank line
    // starting with 8 would have a barcode that reads back as another line.
    if (digits[0] == '8') {
      return Bad("a 47-digit linha digitável (bank slip) cannot start with 8: no bank code does, and 8 marks a "
                 "collection slip, which has 48 digits");
    }
    return ParseBank(digits);
  }
  return Bad("a linha digitável has 47 digits (bank slip) or 48 (collection slip), not " +
             std::to_string(digits.size()));
}

Result<Linha> LinhaFromBarcode(std::string_view b) {
  if (b.size() != 44 || !AllDigits(b)) return Bad("a barcode has exactly 44 digits");
  std::string line;
  if (b[0] == '8') {
    Rule rule = CollectionRule(b[2]);
    if (!rule) return Bad(std::string("the barcode's value-reference digit (3rd) is ") + b[2] + ", not 6, 7, 8 or 9");
    for (int k = 0; k < 4; ++k) {
      std::string_view block = b.substr(k * 11, 11);
      line += std::string(block) + std::to_string(rule(block));
    }
  } else {
    std::string f1 = std::string(b.substr(0, 4)) + std::string(b.substr(19, 5));
    std::string f2(b.substr(24, 10)), f3(b.substr(34, 10));
    line = f1 + std::to_string(Mod10(f1)) + f2 + std::to_string(Mod10(f2)) + f3 + std::to_string(Mod10(f3)) +
           b[4] + std::string(b.substr(5, 14));
  }
  // ParseLinha re-derives the barcode and checks the general digit.
  return ParseLinha(line);
}

std::string BankCode(const Linha& linha) { return linha.kind == SlipKind::kBank ? linha.digits.substr(0, 3) : ""; }

std::optional<long long> AmountCents(const Linha& linha) {
  std::string value;
  if (linha.kind == SlipKind::kBank) {
    value = linha.barcode.substr(9, 10);
  } else {
    char reference = linha.barcode[2];
    if (reference != '6' && reference != '8') return std::nullopt;
    value = linha.barcode.substr(4, 11);
  }
  long long cents = std::stoll(value);
  if (cents == 0) return std::nullopt;
  return cents;
}

std::optional<int> DueFactor(const Linha& linha) {
  if (linha.kind != SlipKind::kBank) return std::nullopt;
  return std::stoi(linha.barcode.substr(5, 4));
}

std::string AmountText(long long cents) {
  std::string cents_part = std::to_string(cents % 100);
  if (cents_part.size() < 2) cents_part = "0" + cents_part;
  return std::to_string(cents / 100) + "." + cents_part;
}

}  // namespace boletos::boleto
