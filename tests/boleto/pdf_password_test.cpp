// SPEC "Flow file", pdf_password: a password-protected slip (qpdf's AES-256
// here, as portals send them: the payer's CPF) is opened for every check
// with the flow's password, or its digits alone; the file is kept as sent.
// Without a password, or with a wrong one, the error says what to do.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "../store/store_test_support.h"
#include "jobs/slip_check.h"
#include "slip_maker.h"

namespace boletos::boleto {
namespace {

using store::testing::TempDir;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class PdfPassword : public ::testing::Test {
 protected:
  void SetUp() override {
    plain_ = dir_.Write("plain.pdf", demo::MakeTextPdf({"Pagador: Ana Souza CPF 158.813.998-03", "Valor 109,51"}));
    locked_ = dir_.File("locked.pdf");
    std::string qpdf = "qpdf --encrypt 15881399803 owner-secret 256 -- " + plain_ + " " + locked_;
    ASSERT_EQ(std::system(qpdf.c_str()), 0) << qpdf << " (scripts/setup installs qpdf)";
  }
  Result<jobs::SlipVerdict> Check(const std::vector<std::string>& passwords) {
    return jobs::SlipCheck(20, Period{2026, 12}).Check(locked_, {"158.813.998-03"}, true, passwords);
  }
  TempDir dir_;
  std::string plain_, locked_;
};

TEST_F(PdfPassword, TheCpfsDigitsOpenItAndItsTextIsRead) {
  auto verdict = Check({"158.813.998-03", "15881399803"});
  ASSERT_TRUE(verdict.ok()) << verdict.message();
  EXPECT_TRUE(verdict->belongs);
}

TEST_F(PdfPassword, TheOwnersPasswordOpensItToo) {
  auto verdict = Check({"owner-secret"});
  ASSERT_TRUE(verdict.ok()) << verdict.message();
  EXPECT_TRUE(verdict->belongs);
}

TEST_F(PdfPassword, TheFileIsKeptAsThePortalSentIt) {
  std::string before = ReadAll(locked_);
  ASSERT_TRUE(Check({"15881399803"}).ok());
  EXPECT_EQ(ReadAll(locked_), before);
}

TEST_F(PdfPassword, WithoutAPasswordTheErrorSaysToGiveOne) {
  auto verdict = Check({});
  ASSERT_FALSE(verdict.ok());
  EXPECT_EQ(verdict.error().kind, ErrorKind::kInvalidPdf);
  EXPECT_NE(verdict.message().find("give the flow a pdf_password"), std::string::npos) << verdict.message();
}

TEST_F(PdfPassword, AWrongPasswordIsSaidAsSuch) {
  auto verdict = Check({"00000000000"});
  ASSERT_FALSE(verdict.ok());
  EXPECT_NE(verdict.message().find("pdf_password does not open it"), std::string::npos) << verdict.message();
}

}  // namespace
}  // namespace boletos::boleto
