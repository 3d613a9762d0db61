// The clients file: what a good one yields, and how each bad one is named.

#include "store/clients_csv.h"

#include <gtest/gtest.h>

#include "store_test_support.h"

namespace boletos::store {
namespace {

using testing::TempDir;

Result<std::vector<Client>> Read(const TempDir& dir, const std::string& content) {
  return ReadClientsCsv(dir.Write("clients.csv", content));
}

// The error of a file that must be rejected.
std::string Rejection(const std::string& content) {
  TempDir dir;
  auto r = Read(dir, content);
  EXPECT_FALSE(r.ok()) << "accepted:\n" << content;
  if (r.ok()) return "";
  EXPECT_EQ(r.kind(), ErrorKind::kBadInput) << r.message();
  EXPECT_NE(r.message().find(dir.File("clients.csv")), std::string::npos) << r.message();
  return r.message();
}

TEST(ClientsCsv, ReadsEveryColumnByName) {
  TempDir dir;
  auto r = Read(dir, "id,name,document,email\n1,Ana,123.456.789-09,ana@example.com\n2,Bruno,,b@example.com\n");
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_EQ(r->size(), 2u);
  const Client& ana = (*r)[0];
  EXPECT_EQ(ana.id, "1");
  EXPECT_EQ(ana.name, "Ana");
  EXPECT_EQ(ana.document, "123.456.789-09");
  EXPECT_EQ(ana.columns.at("email"), "ana@example.com");
  EXPECT_EQ(ana.columns.at("id"), "1");
  EXPECT_EQ(ana.columns.size(), 4u);
  EXPECT_EQ((*r)[1].document, "");
}

TEST(ClientsCsv, DocumentColumnIsOptional) {
  TempDir dir;
  auto r = Read(dir, "name,id\nAna,7\n");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ((*r)[0].id, "7");
  EXPECT_EQ((*r)[0].document, "");
}

TEST(ClientsCsv, QuotedFieldsKeepCommasQuotesNewlinesAndSpaces) {
  TempDir dir;
  auto r = Read(dir, "id,name,note\n1,\"Silva, Ana\",\"said \"\"hi\"\"\nand left\"\n2,\"  Bob  \",  plain  \n");
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "Silva, Ana");
  EXPECT_EQ((*r)[0].columns.at("note"), "said \"hi\"\nand left");
  EXPECT_EQ((*r)[1].name, "  Bob  ");           // inside quotes nothing is trimmed
  EXPECT_EQ((*r)[1].columns.at("note"), "plain");  // around an unquoted field spaces go
}

TEST(ClientsCsv, AcceptsBomCrlfUtf8AndNoFinalNewline) {
  TempDir dir;
  auto r = Read(dir, "\xEF\xBB\xBF" "id,name\r\n1,Jo\xC3\xA3o\r\n\r\n2,Con\xC3\xA7" "eic\xC3\xA3o");
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].columns.count("id"), 1u);  // the BOM is not part of the first column's name
  EXPECT_EQ((*r)[0].name, "Jo\xC3\xA3o");
  EXPECT_EQ((*r)[1].name, "Con\xC3\xA7" "eic\xC3\xA3o");
}

TEST(ClientsCsv, HeaderOnlyIsNoClients) {
  TempDir dir;
  auto r = Read(dir, "id,name\n");
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_TRUE(r->empty());
}

TEST(ClientsCsv, MissingFileIsBadInputNamingIt) {
  auto r = ReadClientsCsv("/nonexistent/clients.csv");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kBadInput);
  EXPECT_NE(r.message().find("/nonexistent/clients.csv not found"), std::string::npos) << r.message();
}

TEST(ClientsCsv, EmptyFileHasNoHeaderRow) {
  EXPECT_NE(Rejection("").find("has no header row"), std::string::npos);
  EXPECT_NE(Rejection("\n  \n").find("has no header row"), std::string::npos);
  EXPECT_NE(Rejection("\xEF\xBB\xBF").find("has no header row"), std::string::npos);
}

TEST(ClientsCsv, MissingRequiredColumnNamesTheColumnsFound) {
  std::string m = Rejection("ID,nome,document\n1,Ana,1\n");
  EXPECT_NE(m.find("line 1:"), std::string::npos) << m;
  EXPECT_NE(m.find("no `id` column"), std::string::npos) << m;
  EXPECT_NE(m.find("ID, nome, document"), std::string::npos) << m;
  m = Rejection("id,nome\n1,Ana\n");
  EXPECT_NE(m.find("no `name` column"), std::string::npos) << m;
}

TEST(ClientsCsv, RepeatedOrUnnamedHeaderColumnIsRejected) {
  EXPECT_NE(Rejection("id,name,id\n").find("\"id\" appears twice"), std::string::npos);
  EXPECT_NE(Rejection("id,name,,x\n").find("column 3 has no name"), std::string::npos);
}

TEST(ClientsCsv, UnclosedQuoteNamesTheLineWhereTheRecordStarts) {
  std::string m = Rejection("id,name\n1,Ana\n2,\"Bruno\n3,Carla\n4,Davi\n");
  EXPECT_NE(m.find("line 3: unbalanced quote"), std::string::npos) << m;
}

TEST(ClientsCsv, StrayQuoteInsideAnUnquotedFieldNamesItsLine) {
  std::string m = Rejection("id,name\n1,Ana\n2,Bru\"no\n3,Carla\n");
  EXPECT_NE(m.find("line 3: unbalanced quote"), std::string::npos) << m;
}

TEST(ClientsCsv, TextAfterAClosingQuoteNamesTheRecordStart) {
  // The quote opened on line 2 closes on line 3, where text follows it.
  std::string m = Rejection("id,name\n1,\"Ana\n2,\"Bruno\n");
  EXPECT_NE(m.find("line 2: unbalanced quote"), std::string::npos) << m;
  EXPECT_NE(m.find("shows on line 3"), std::string::npos) << m;
}

TEST(ClientsCsv, RowWithFewerOrMoreFieldsThanTheHeaderNamesItsLine) {
  std::string fewer = Rejection("id,name,document\n1,Ana,1\n2,Bruno\n");
  EXPECT_NE(fewer.find("line 3: 2 fields, but the header has 3 (id, name, document)"), std::string::npos) << fewer;
  std::string more = Rejection("id,name\n1,Ana\n\n2,Bruno,extra\n");
  EXPECT_NE(more.find("line 4: 3 fields, but the header has 2"), std::string::npos) << more;
}

TEST(ClientsCsv, EmptyIdNamesItsLine) {
  std::string m = Rejection("id,name\n1,Ana\n,Bruno\n");
  EXPECT_NE(m.find("line 3: empty id"), std::string::npos) << m;
  m = Rejection("id,name\n1,Ana\n\"\",Bruno\n");
  EXPECT_NE(m.find("line 3: empty id"), std::string::npos) << m;
}

TEST(ClientsCsv, SameIdTwiceNamesBothLines) {
  std::string m = Rejection("id,name\n1,Ana\n2,Bruno\n1,Carla\n");
  EXPECT_NE(m.find("line 4: id \"1\" already appears on line 2"), std::string::npos) << m;
}

TEST(ClientsCsv, InvalidUtf8NamesItsLine) {
  std::string m = Rejection("id,name\n1,Ana\n2,Jo\xE3o\n");  // Latin-1, not UTF-8
  EXPECT_NE(m.find("line 3: invalid UTF-8"), std::string::npos) << m;
  m = Rejection("id,name\n1,\"multi\nline\"\n2,\xC0\xAF\n");  // an overlong form
  EXPECT_NE(m.find("line 4: invalid UTF-8"), std::string::npos) << m;
}

TEST(ClientsCsv, LineNumbersCountMultilineFieldsBlankLinesAndCrlf) {
  std::string m = Rejection("id,name\r\n1,\"Ana\r\nMaria\"\r\n\r\n2,\"Bruno\r\n\r\nSilva\"\r\n,Carla\r\n");
  EXPECT_NE(m.find("line 8: empty id"), std::string::npos) << m;
}

TEST(ClientsCsv, OldMacLineEndingsCountAsLines) {
  std::string m = Rejection("id,name\r1,Ana\r,Bruno\r");
  EXPECT_NE(m.find("line 3: empty id"), std::string::npos) << m;
}

}  // namespace
}  // namespace boletos::store
