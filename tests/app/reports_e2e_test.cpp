// SPEC "What a boleto says" and "Commands": `export --format csv|json` and
// `status --json` carry the documented columns and keys, in order.

#include <gtest/gtest.h>

#include <regex>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {

const std::vector<std::string> kExportColumns = {
    "id",         "name",            "document", "period", "status", "file",     "bytes",    "sha256",       "attempts",
    "last_error", "linha_digitavel", "barcode",  "bank",   "amount", "due_date", "warnings", "downloaded_at"};

// RFC 4180 records: quoted fields may hold commas, quotes ("") and line ends.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      record.push_back(field);
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      record.push_back(field);
      field.clear();
      records.push_back(record);
      record.clear();
    } else {
      field += c;
    }
  }
  if (!field.empty() || !record.empty()) {
    record.push_back(field);
    records.push_back(record);
  }
  return records;
}

// The keys of a JSON object in the order they appear in the text (nlohmann
// sorts them once parsed).
std::vector<std::string> KeysInOrder(const std::string& object_text) {
  std::vector<std::string> keys;
  int depth = 0;
  for (size_t i = 0; i < object_text.size(); ++i) {
    char c = object_text[i];
    if (c == '"') {
      size_t end = i + 1;
      while (end < object_text.size() && object_text[end] != '"') end += object_text[end] == '\\' ? 2 : 1;
      size_t after = object_text.find_first_not_of(" \n", end + 1);
      if (depth == 1 && after != std::string::npos && object_text[after] == ':') {
        keys.push_back(object_text.substr(i + 1, end - i - 1));
      }
      i = end;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return keys;
}

class Reports : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ws_ = new Workspace(5);
    ws_->StartPortal();
    ASSERT_EQ(ws_->Import().code, 0);
    Outcome run = ws_->Boletos(ws_->RunArgs());
    ASSERT_EQ(run.code, 0) << run.all();
  }
  static void TearDownTestSuite() {
    delete ws_;
    ws_ = nullptr;
  }
  static Workspace* ws_;
};
Workspace* Reports::ws_ = nullptr;

TEST_F(Reports, ExportCsvHasTheSpecColumnsInOrderAndOneRowPerClient) {
  std::string csv = ws_->ExportCsv();
  auto records = ParseCsv(csv);
  ASSERT_EQ(records.size(), 6u) << csv;
  EXPECT_EQ(records[0], kExportColumns);
  EXPECT_NE(csv.find("\r\n"), std::string::npos) << "RFC 4180 line ends";
  const std::vector<std::string>& c001 = records[1];
  ASSERT_EQ(c001.size(), kExportColumns.size()) << csv;
  EXPECT_EQ(c001[0], "c001");
  EXPECT_EQ(c001[3], kPeriod);
  EXPECT_EQ(c001[4], "done");
  EXPECT_TRUE(std::regex_match(c001[7], std::regex("[0-9a-f]{64}"))) << c001[7];
  EXPECT_TRUE(std::regex_match(c001[16], std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"))) << c001[16];
}

TEST_F(Reports, ExportJsonIsAnArrayOfObjectsWithTheSpecKeysInOrderAndTheSlipFacts) {
  Outcome o = ws_->Boletos({"export", "--db", ws_->db(), "--period", kPeriod, "--format", "json"});
  ASSERT_EQ(o.code, 0) << o.all();
  Json rows = Json::parse(o.out, nullptr, false);
  ASSERT_TRUE(rows.is_array()) << o.out;
  ASSERT_EQ(rows.size(), 5u);
  std::string first = o.out.substr(o.out.find('{'), o.out.find('}') - o.out.find('{') + 1);
  EXPECT_EQ(KeysInOrder(first), kExportColumns) << first;
  for (const auto& row : rows) {
    std::string id = row["id"];
    auto facts = ws_->portal().Facts(id, kPeriod);
    ASSERT_TRUE(facts.ok());
    EXPECT_EQ(row["status"], "done") << id;
    EXPECT_EQ(row["linha_digitavel"], facts->linha_digitavel) << id;
    EXPECT_EQ(row["barcode"], facts->barcode) << id;
    EXPECT_EQ(row["bank"], facts->bank) << id;
    EXPECT_EQ(row["amount"], facts->amount) << id << ": amount must stay a string";
    EXPECT_EQ(row["due_date"], facts->due_date) << id;
    EXPECT_TRUE(row["last_error"].is_null()) << id << ": empty fields are null";
  }
}

TEST_F(Reports, StatusJsonSaysTheCountsTheLastSuccessAndHowTheRunEnded) {
  Outcome o = ws_->Boletos({"status", "--db", ws_->db(), "--period", kPeriod, "--json"});
  ASSERT_EQ(o.code, 0) << o.all();
  Json status = Json::parse(o.out, nullptr, false);
  ASSERT_TRUE(status.is_object()) << o.out;
  // SPEC fixes no order for status keys (only for the export): all present.
  for (const char* key : {"period", "running", "counts", "last_success", "next_client", "crashed_run", "runs",
                          "last_memory", "recent_failures"}) {
    EXPECT_TRUE(status.contains(key)) << key;
  }
  EXPECT_EQ(status["period"], kPeriod);
  EXPECT_EQ(status["running"], false);
  EXPECT_EQ(status["counts"]["done"], 5);
  EXPECT_EQ(status["counts"]["total"], 5);
  EXPECT_TRUE(status["last_success"].is_object());
  EXPECT_TRUE(status["next_client"].is_null());
  EXPECT_TRUE(status["crashed_run"].is_null());
  ASSERT_FALSE(status["runs"].empty());
  EXPECT_EQ(status["runs"][0]["outcome"], "finished");
  EXPECT_NE(status["runs"][0]["summary"].get<std::string>().find("finished normally"), std::string::npos);
}

}  // namespace
}  // namespace boletos::e2e
