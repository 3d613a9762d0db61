#include "report/export_writer.h"

#include <csv.h>

#include "report/status_view.h"

namespace boletos::report {

const std::vector<std::string>& ExportColumns() {
  static const std::vector<std::string> columns = {
      "id",   "name",     "document",   "period",          "status",  "file",   "bytes",    "sha256",   "attempts",
      "last_error", "linha_digitavel", "barcode", "bank", "amount", "due_date", "warnings", "downloaded_at"};
  return columns;
}

namespace {

// A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
// gets a leading ' (OWASP's advice on CSV injection); every cell is quoted
// (csv_fwrite). A client's name comes from outside: it may be =HYPERLINK(...).
std::string DefusedCell(const std::string& cell) {
  if (cell.empty() || std::string("=+-@\t\r").find(cell.front()) == std::string::npos) return cell;
  return "'" + cell;
}

void WriteCsvRow(std::FILE* out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) std::fputc(',', out);
    std::string cell = DefusedCell(fields[i]);
    csv_fwrite(out, cell.data(), cell.size());
  }
  std::fputs("\r\n", out);  // RFC 4180 line ends
}

}  // namespace

Status WriteExport(store::Store& store, const std::string& period, ExportFormat format, std::FILE* out) {
  bool first = true;
  if (format == ExportFormat::kCsv) WriteCsvRow(out, ExportColumns());
  else std::fputs("[", out);
  Status s = store.ForEachExportRow(period, [&](const store::ExportRow& row) {
    nlohmann::json json = ExportRowToJson(row);
    if (format == ExportFormat::kJson) {
      // nlohmann::json sorts keys; SPEC.md gives the export's keys an order.
      nlohmann::ordered_json ordered;
      for (const auto& column : ExportColumns()) ordered[column] = json[column];
      std::fputs(first ? "\n  " : ",\n  ", out);
      std::fputs(ordered.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str(), out);
    } else {
      std::vector<std::string> fields;
      for (const auto& column : ExportColumns()) {
        const auto& v = json[column];
        fields.push_back(v.is_null() ? "" : v.is_string() ? v.get<std::string>() : v.dump());
      }
      WriteCsvRow(out, fields);
    }
    first = false;
  });
  if (!s.ok()) return s;
  if (format == ExportFormat::kJson) std::fputs(first ? "]\n" : "\n]\n", out);
  if (std::fflush(out) != 0) return MakeError(ErrorKind::kIo, "cannot write the export (disk full or pipe closed?)");
  return Status::Ok();
}

}  // namespace boletos::report
