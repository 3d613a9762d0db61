#include "store/clients_csv.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <unordered_map>

#include <csv.h>

#include "core/utf8.h"

namespace boletos::store {
namespace {

// libcsv reports fields and records, not where they are. We feed it one
// physical line at a time, so a record that ends fires its callback at the
// end of the line we just fed, and a record starts on the line where its
// first non-blank byte is. That gives exact 1-based line numbers, also for
// quoted fields that span lines.
class CsvReader {
 public:
  explicit CsvReader(std::string path) : path_(std::move(path)) {}

  Result<std::vector<Client>> Parse(const std::string& text);

 private:
  static void OnField(void* s, size_t len, void* self) {
    auto* r = static_cast<CsvReader*>(self);
    if (!r->error_) r->fields_.emplace_back(len ? static_cast<const char*>(s) : "", len);
  }
  static void OnRecord(int, void* self) { static_cast<CsvReader*>(self)->EndRecord(); }

  void EndRecord();
  void TakeHeader();
  void TakeClient();
  void Fail(int line, const std::string& problem) {
    if (!error_) error_ = MakeError(ErrorKind::kBadInput, path_ + " line " + std::to_string(line) + ": " + problem +
                                                              "; nothing was imported: fix the file and import again");
  }
  std::string HeaderList() const;

  std::string path_;
  std::optional<Error> error_;
  std::vector<std::string> fields_;  // of the record being read
  bool in_record_ = false;
  int record_line_ = 0;
  std::vector<std::string> header_;
  size_t id_col_ = 0, name_col_ = 0;
  std::optional<size_t> document_col_;
  std::unordered_map<std::string, int> id_lines_;
  std::vector<Client> clients_;
};

std::string CsvReader::HeaderList() const {
  std::string list;
  for (const std::string& h : header_) list += (list.empty() ? "" : ", ") + h;
  return list;
}

void CsvReader::EndRecord() {
  in_record_ = false;
  if (!error_) {
    if (header_.empty()) {
      TakeHeader();
    } else {
      TakeClient();
    }
  }
  fields_.clear();
}

void CsvReader::TakeHeader() {
  header_ = fields_;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i].empty()) return Fail(record_line_, "header column " + std::to_string(i + 1) + " has no name");
    if (!index.emplace(header_[i], i).second) {
      return Fail(record_line_, "header column \"" + header_[i] + "\" appears twice");
    }
  }
  for (const char* required : {"id", "name"}) {
    if (!index.count(required)) {
      return Fail(record_line_, std::string("the header has no `") + required + "` column (columns found: " +
                                    HeaderList() + "); it needs id and name");
    }
  }
  id_col_ = index["id"];
  name_col_ = index["name"];
  if (index.count("document")) document_col_ = index["document"];
}

void CsvReader::TakeClient() {
  if (fields_.size() != header_.size()) {
    return Fail(record_line_, std::to_string(fields_.size()) + " fields, but the header has " +
                                  std::to_string(header_.size()) + " (" + HeaderList() + ")");
  }
  Client c;
  c.id = fields_[id_col_];
  if (c.id.empty()) return Fail(record_line_, "empty id");
  auto [seen, fresh] = id_lines_.emplace(c.id, record_line_);
  if (!fresh) {
    return Fail(record_line_, "id \"" + c.id + "\" already appears on line " + std::to_string(seen->second));
  }
  c.name = fields_[name_col_];
  if (document_col_) c.document = fields_[*document_col_];
  for (size_t i = 0; i < header_.size(); ++i) c.columns.emplace(header_[i], std::move(fields_[i]));
  clients_.push_back(std::move(c));
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Where the physical line that starts at `pos` ends (just past its \n, \r\n
// or lone \r).
size_t LineEnd(const std::string& text, size_t pos) {
  while (pos < text.size()) {
    char c = text[pos++];
    if (c == '\n') break;
    if (c == '\r' && (pos >= text.size() || text[pos] != '\n')) break;
  }
  return pos;
}

int LineOf(const std::string& text, size_t offset) {
  int line = 1;
  for (size_t pos = 0;; ++line) {
    pos = LineEnd(text, pos);
    if (offset < pos || pos >= text.size()) return line;
  }
}

Result<std::vector<Client>> CsvReader::Parse(const std::string& text) {
  if (size_t bad = FindInvalidUtf8(text); bad != std::string::npos) {
    Fail(LineOf(text, bad), "invalid UTF-8 (save the file as UTF-8)");
    return *error_;
  }
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return MakeError(ErrorKind::kIo, "cannot start the CSV parser for " + path_ + ": out of memory");
  }
  struct Free {
    csv_parser* p;
    ~Free() { csv_free(p); }
  } free_parser{&parser};

  int line = 1;
  for (size_t pos = 0; pos < text.size() && !error_; ++line) {
    size_t end = LineEnd(text, pos);
    if (!in_record_) {
      for (size_t i = pos; i < end; ++i) {
        if (!IsBlank(text[i])) {
          in_record_ = true;
          record_line_ = line;
          break;
        }
      }
    }
    size_t len = end - pos;
    if (csv_parse(&parser, text.data() + pos, len, OnField, OnRecord, this) != len && !error_) {
      if (csv_error(&parser) != CSV_EPARSE) {
        return MakeError(ErrorKind::kIo, "cannot parse " + path_ + ": " + csv_strerror(csv_error(&parser)));
      }
      std::string where = line == record_line_ ? "" : " (the record starts here, the error shows on line " +
                                                          std::to_string(line) + ")";
      Fail(record_line_,
           "unbalanced quote: a quote inside an unquoted field, or text after a closing quote" + where +
               "; inside a quoted field write a quote as \"\"");
    }
    pos = end;
  }
  if (!error_ && csv_fini(&parser, OnField, OnRecord, this) != 0) {
    Fail(record_line_, "unbalanced quote: the quoted field that starts in this record is never closed");
  }
  if (error_) return *error_;
  if (header_.empty()) {
    return MakeError(ErrorKind::kBadInput,
                     path_ + " has no header row: the first line must name the columns, e.g. id,name,document");
  }
  return std::move(clients_);
}

}  // namespace

Result<std::vector<Client>> ReadClientsCsv(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return MakeError(ErrorKind::kBadInput, "clients file " + path + " is a folder: pass the CSV file");
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    int err = errno;
    if (err == ENOENT) return MakeError(ErrorKind::kBadInput, "clients file " + path + " not found: check the path");
    return MakeError(ErrorKind::kBadInput, "cannot read clients file " + path + ": " + std::strerror(err));
  }
  std::string text;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  bool failed = std::ferror(f) != 0;
  int err = errno;
  std::fclose(f);
  if (failed) return MakeError(ErrorKind::kIo, "cannot read clients file " + path + ": " + std::strerror(err));

  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);  // a BOM is not part of the first column name
  return CsvReader(path).Parse(text);
}

}  // namespace boletos::store
