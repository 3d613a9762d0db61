// Issue 20's test portal end to end: the real `boletos` binary, with the
// flow in tests/portal/consorcio.yaml, against the ConsorcioPortal on
// 127.0.0.1 and a real headless Chromium: every client's slip comes its own
// way and each is saved byte-exact (the protected one as sent, the HTML one
// printed and read), the client with no open slip ends `none`, with two
// tabs whose sessions are their own. Then the portal's other moods: busy
// at login (503 + Retry-After), and a reCAPTCHA (exit 4).

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "consorcio_portal.h"
#include "e2e_process.h"

namespace boletos::test_portal {
namespace {

namespace fs = std::filesystem;
using e2e::Outcome;
using Json = nlohmann::json;

class Consorcio : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = (fs::temp_directory_path() / ("boletos-consorcio-" + std::to_string(getpid()) + "-" +
                                          ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                .string();
    fs::remove_all(root_);
    fs::create_directories(root_ + "/tmp");
    fs::create_directories(root_ + "/portal");
    fs::permissions(root_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    std::ofstream csv(root_ + "/clients.csv");
    csv << "id,name,document\n";
    for (const auto& c : ConsorcioPortal::Clients()) csv << c.id << ",\"" << c.name << "\"," << c.document << "\n";
  }
  void TearDown() override {
    portal_.reset();
    fs::remove_all(root_);
  }
  void StartPortal(ConsorcioOptions options) {
    options.work_dir = root_ + "/portal";
    auto p = ConsorcioPortal::Start(options);
    ASSERT_TRUE(p.ok()) << p.message();
    portal_ = std::move(*p);
  }
  Outcome Boletos(std::vector<std::string> args) {
    args.insert(args.begin(), BOLETOS_BIN);
    return e2e::RunToEnd(args,
                         {{"PORTAL_USER", "12345678000195"},
                          {"PORTAL_PASSWORD", "Consorcio#2026"},
                          {"TMPDIR", root_ + "/tmp"},
                          {"BOLETOS_BACKOFF_BASE_MS", "100"}},
                         root_ + "/cmd" + std::to_string(++commands_), e2e::Ms(240000));
  }
  std::vector<std::string> Run(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"run", "--db", root_ + "/boletos.db", "--out", root_ + "/out", "--flow",
                                     std::string(BOLETOS_SOURCE_DIR) + "/tests/portal/consorcio.yaml", "--period",
                                     "2026-12", "--var", "base_url=" + portal_->url()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  std::map<std::string, Json> Rows() {
    Outcome out = Boletos({"export", "--db", root_ + "/boletos.db", "--period", "2026-12", "--format", "json"});
    std::map<std::string, Json> rows;
    Json all = Json::parse(out.out, nullptr, false);
    if (all.is_array()) {
      for (const auto& r : all) rows[r.value("id", "")] = r;
    }
    return rows;
  }
  std::string root_;
  std::unique_ptr<ConsorcioPortal> portal_;
  int commands_ = 0;
};

TEST_F(Consorcio, EveryWayOfDeliveryEndsWithTheClientsSlipAndNoSlipEndsNone) {
  StartPortal({});
  ASSERT_EQ(Boletos({"import", root_ + "/clients.csv", "--db", root_ + "/boletos.db"}).code, 0);
  Outcome run = Boletos(Run({"--tabs", "2"}));
  ASSERT_EQ(run.code, 0) << run.all();
  auto rows = Rows();
  for (const auto& c : ConsorcioPortal::Clients()) {
    const Json& row = rows[c.id];
    SCOPED_TRACE(std::string(c.id) + " (" + DeliveryName(c.delivery) + "): " + row.dump());
    if (c.delivery == Delivery::kNoSlip) {
      EXPECT_EQ(row["status"], "none");
      continue;
    }
    ASSERT_EQ(row["status"], "done");
    EXPECT_EQ(row["file"], "2026-12/" + c.id + "_2026-12.pdf");
    std::ifstream in(root_ + "/out/" + row["file"].get<std::string>(), std::ios::binary);
    std::string saved((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (c.delivery == Delivery::kHtml || c.delivery == Delivery::kPassword) {
      EXPECT_EQ(saved.rfind("%PDF-", 0), 0u);
    } else {
      EXPECT_EQ(saved, portal_->SlipPdf(c)) << "not byte-exact";
    }
    // Read right, the printed HTML slip and the protected PDF included.
    EXPECT_EQ(row["linha_digitavel"].get<std::string>().size(), 47u);
    EXPECT_TRUE(row["warnings"].is_null());
  }
  EXPECT_GE(portal_->logins(), 2) << "one login per tab";
}

TEST_F(Consorcio, ALoginAnsweredBusyIsTriedAgainAfterRetryAfter) {
  ConsorcioOptions options;
  options.busy_logins = 2;
  StartPortal(options);
  ASSERT_EQ(Boletos({"import", root_ + "/clients.csv", "--db", root_ + "/boletos.db"}).code, 0);
  Outcome run = Boletos(Run({"--batch", "1"}));
  EXPECT_EQ(run.code, 0) << run.all();
  EXPECT_NE(run.all().find("the portal answered the login with HTTP 503"), std::string::npos) << run.all();
  EXPECT_NE(run.all().find("(Retry-After: 1 s); logging in again in 1 s"), std::string::npos) << run.all();
}

TEST_F(Consorcio, AReCaptchaAtLoginEndsTheRunWithExit4) {
  ConsorcioOptions options;
  options.captcha = true;
  StartPortal(options);
  ASSERT_EQ(Boletos({"import", root_ + "/clients.csv", "--db", root_ + "/boletos.db"}).code, 0);
  Outcome run = Boletos(Run({}));
  EXPECT_EQ(run.code, 4) << run.all();
  EXPECT_NE(run.all().find("the portal asks for a human: reCAPTCHA"), std::string::npos) << run.all();
}

}  // namespace
}  // namespace boletos::test_portal
