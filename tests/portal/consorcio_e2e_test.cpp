// Issue 20's test portal end to end: the real `boletos` binary, with the
// flow in tests/portal/consorcio.yaml, against the ConsorcioPortal on
// 127.0.0.1 and a real headless Chromium: every client's slip comes its own
// way and each is saved byte-exact (the protected one as sent, the HTML one
// printed and read), the client with no open slip ends `none`, with two
// tabs whose sessions are their own. Then the portal's other moods: busy
// at login (503 + Retry-After), and a reCAPTCHA (exit 4).

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
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
    std::ofstream(root_ + "/clients.csv") << ConsorcioPortal::ClientsCsv();
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

// A session that times out answers the next postback with its login page
// labelled application/pdf: that is never saved as a slip; the attempt
// fails saying what came, the tab logs in again and the client is retried.
TEST_F(Consorcio, ALoginPageLabelledPdfAfterASessionTimesOutIsRefusedAndTheClientRetried) {
  ConsorcioOptions options;
  options.session_ends_at_slip_of = "k01";  // a postback answered with an attachment
  StartPortal(options);
  ASSERT_EQ(Boletos({"import", root_ + "/clients.csv", "--db", root_ + "/boletos.db"}).code, 0);
  Outcome run = Boletos(Run({}));
  ASSERT_EQ(run.code, 0) << run.all();
  EXPECT_NE(run.all().find("k01 failed attempt 1/"), std::string::npos) << run.all();
  EXPECT_NE(run.all().find("not a PDF: the file starts with '<!doctype html>"), std::string::npos) << run.all();
  EXPECT_EQ(portal_->served().at("k01"), 1) << "k01's slip, once, on the attempt after the new login";
  auto rows = Rows();
  for (const auto& c : ConsorcioPortal::Clients()) {
    const Json& row = rows[c.id];
    SCOPED_TRACE(std::string(c.id) + ": " + row.dump());
    if (c.delivery == Delivery::kNoSlip) continue;
    ASSERT_EQ(row["status"], "done");
    std::ifstream in(root_ + "/out/" + row["file"].get<std::string>(), std::ios::binary);
    std::string saved((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(saved.rfind("%PDF-", 0), 0u) << "a page saved as a slip";
  }
  EXPECT_GT(portal_->logins(), 1) << "the tab logged in again after its session ended";
}

// Why `sessions: per_tab` exists: with the default shared session, two
// tabs set the server's "current client" under each other and are sent
// each other's slips. None of those is ever kept: each file that is kept
// is its own client's, byte for byte.
TEST_F(Consorcio, TabsSharingOneSessionAreSentEachOthersSlipsAndNoneIsKept) {
  StartPortal({});
  std::ifstream in(std::string(BOLETOS_SOURCE_DIR) + "/tests/portal/consorcio.yaml");
  std::string flow((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_NE(flow.find("sessions: per_tab"), std::string::npos);
  flow.replace(flow.find("sessions: per_tab"), 17, "sessions: shared");
  std::ofstream(root_ + "/shared.yaml") << flow;
  ASSERT_EQ(Boletos({"import", root_ + "/clients.csv", "--db", root_ + "/boletos.db"}).code, 0);
  std::vector<std::string> args = Run({"--tabs", "2", "--max-attempts", "8"});
  args[std::find(args.begin(), args.end(), "--flow") - args.begin() + 1] = root_ + "/shared.yaml";
  Outcome run = Boletos(args);
  EXPECT_NE(run.all().find("another client"), std::string::npos) << "no slip was refused as foreign: " << run.all();
  for (const auto& [id, row] : Rows()) {
    if (row["status"] != "done") continue;
    const PortalClient* client = nullptr;
    for (const auto& c : ConsorcioPortal::Clients()) {
      if (c.id == id) client = &c;
    }
    ASSERT_NE(client, nullptr) << id;
    if (client->delivery == Delivery::kHtml || client->delivery == Delivery::kPassword) continue;
    std::ifstream file(root_ + "/out/" + row["file"].get<std::string>(), std::ios::binary);
    std::string saved((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    EXPECT_EQ(saved, portal_->SlipPdf(*client)) << id << " kept a slip that is not its own";
  }
}

// A login that fails inside the login frame keeps the frame's HTML: the
// form and the portal's message are in the failure artifact.
TEST_F(Consorcio, AFailedLoginKeepsTheLoginFramesHtml) {
  StartPortal({});
  ASSERT_EQ(Boletos({"import", root_ + "/clients.csv", "--db", root_ + "/boletos.db"}).code, 0);
  std::vector<std::string> args = Run({"--max-attempts", "1", "--batch", "1"});
  args.insert(args.begin(), BOLETOS_BIN);
  Outcome run = e2e::RunToEnd(args,
                              {{"PORTAL_USER", "12345678000195"},
                               {"PORTAL_PASSWORD", "wrong-password"},
                               {"TMPDIR", root_ + "/tmp"}},
                              root_ + "/cmd-login", e2e::Ms(240000));
  EXPECT_NE(run.code, 0) << run.all();
  std::string html;
  for (const auto& entry : fs::directory_iterator(root_ + "/out/2026-12/_failed")) {
    if (entry.path().extension() != ".html") continue;
    std::ifstream file(entry.path(), std::ios::binary);
    html = std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  }
  ASSERT_FALSE(html.empty()) << "no failure HTML: " << run.all();
  size_t frame = html.find("<!-- boletos: frame " + portal_->url());
  ASSERT_NE(frame, std::string::npos) << html;
  EXPECT_NE(html.find("Usuário ou senha inválidos", frame), std::string::npos) << "the frame's message: " << html;
  EXPECT_NE(html.find("id=\"senha\"", frame), std::string::npos) << html;
  EXPECT_EQ(html.find("wrong-password"), std::string::npos) << "the secret is in the failure HTML";
}

}  // namespace
}  // namespace boletos::test_portal
