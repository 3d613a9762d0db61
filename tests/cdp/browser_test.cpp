// Integration: the real headless shell against pages on 127.0.0.1.

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "browser_fixture.h"
#include "cdp/browser_disposer.h"
#include "process_census.h"

namespace fs = std::filesystem;
using namespace boletos;
using namespace boletos::cdp;
using boletos::test_support::TestSite;

namespace {

using test_support::BrowserTest;
using test_support::ReadAll;
using test_support::Secs;

TEST_F(BrowserTest, NavigatesFillsSelectsClicksAndWaits) {
  ASSERT_TRUE(page_->Navigate(site_.url("/form"), Secs(10)).ok());
  ASSERT_TRUE(page_->Fill("#name", "Ana", Secs(5)).ok());
  ASSERT_TRUE(page_->Select("#color", "Green", Secs(5)).ok());
  ASSERT_TRUE(page_->Click("#go", Secs(5)).ok());
  ASSERT_TRUE(page_->WaitForText("hello Ana g", Secs(5)).ok());
  ASSERT_TRUE(page_->Click("#late-btn", Secs(5)).ok());
  Status late = page_->WaitForSelector("#late", Secs(5));
  EXPECT_TRUE(late.ok()) << late.message();
  ASSERT_TRUE(page_->Click("#key", Secs(5)).ok());
  ASSERT_TRUE(page_->Press("Enter", Secs(5)).ok());
  EXPECT_TRUE(page_->WaitForText("enter pressed", Secs(5)).ok());
  EXPECT_TRUE(page_->WaitForUrlContains("/form", Secs(5)).ok());
}

TEST_F(BrowserTest, AClickOnALinkThatWrapsOverTwoLinesHitsThatLink) {
  // Its bounding box's centre lies on the link before it.
  ASSERT_TRUE(page_->Navigate(site_.url("/form"), Secs(10)).ok());
  ASSERT_TRUE(page_->Click("#wrapped", Secs(5)).ok());
  Status s = page_->WaitForText("wrapped", Secs(5));
  EXPECT_TRUE(s.ok()) << s.message();
  auto out = page_->Evaluate("document.getElementById('out').textContent", Secs(5));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "wrapped");
}

TEST_F(BrowserTest, WaitingForAMissingElementTimesOutNamingSelectorAndTime) {
  ASSERT_TRUE(page_->Navigate(site_.url("/form"), Secs(10)).ok());
  auto started = std::chrono::steady_clock::now();
  Status s = page_->WaitForSelector("#never", Deadline::In(std::chrono::milliseconds(400)));
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kTimeout);
  EXPECT_NE(s.message().find("#never"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("400ms"), std::string::npos) << s.message();
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST_F(BrowserTest, EvalReturnsValuesAndReportsExceptions) {
  ASSERT_TRUE(page_->Navigate(site_.url("/form"), Secs(10)).ok());
  auto v = page_->Evaluate("1 + 2", Secs(5));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->get<int>(), 3);
  auto thrown = page_->Evaluate("(() => { throw new Error('boom'); })()", Secs(5));
  ASSERT_FALSE(thrown.ok());
  EXPECT_NE(thrown.message().find("boom"), std::string::npos);
}

TEST_F(BrowserTest, NavigatingToAnUnreachablePortalSaysSo) {
  auto r = page_->Navigate("http://127.0.0.1:1/", Secs(10));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("127.0.0.1:1"), std::string::npos) << r.message();
}

struct DownloadCase {
  const char* link;
  DownloadResult::Kind kind;
};

class DownloadKinds : public BrowserTest, public ::testing::WithParamInterface<DownloadCase> {};

TEST_P(DownloadKinds, SavesTheFileByteExact) {
  ASSERT_TRUE(page_->Navigate(site_.url("/links"), Secs(10)).ok());
  std::string dest = Out("out.pdf");
  auto r = page_->Download(DownloadAction::Click(std::string("#") + GetParam().link), dest, /*print_html=*/true, Secs(15));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->kind, GetParam().kind);
  std::string bytes = ReadAll(dest);
  struct stat st {};
  ASSERT_EQ(stat(dest.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, geteuid()) << "the slip belongs to the browser's user, not the worker";
  if (GetParam().kind == DownloadResult::Kind::kFile) {
    EXPECT_EQ(bytes, TestSite::PdfBytes());
  } else {
    EXPECT_EQ(bytes.rfind("%PDF-", 0), 0u);
    EXPECT_NE(bytes.find("%%EOF"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryWayAPortalSendsAPdf, DownloadKinds,
                         ::testing::Values(DownloadCase{"attachment", DownloadResult::Kind::kFile},
                                           DownloadCase{"inline", DownloadResult::Kind::kFile},
                                           DownloadCase{"newtab", DownloadResult::Kind::kFile},
                                           DownloadCase{"popup", DownloadResult::Kind::kFile},
                                           DownloadCase{"blob", DownloadResult::Kind::kFile},
                                           DownloadCase{"html", DownloadResult::Kind::kPrintedHtml},
                                           DownloadCase{"htmltab", DownloadResult::Kind::kPrintedHtml},
                                           DownloadCase{"slowhtmltab", DownloadResult::Kind::kPrintedHtml},
                                           DownloadCase{"slowpdftab", DownloadResult::Kind::kFile},
                                           DownloadCase{"blankhtmlpopup", DownloadResult::Kind::kPrintedHtml},
                                           DownloadCase{"alerthtmltab", DownloadResult::Kind::kPrintedHtml},
                                           DownloadCase{"chainpopup", DownloadResult::Kind::kFile}),
                         [](const auto& info) { return std::string(info.param.link); });

TEST_F(BrowserTest, DownloadByUrlSavesTheFile) {
  std::string dest = Out("byurl.pdf");
  auto r = page_->Download(DownloadAction::Open(site_.url("/file.pdf")), dest, false, Secs(15));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(ReadAll(dest), TestSite::PdfBytes());
}

TEST_F(BrowserTest, AnHtmlPageWithoutPrintIsAnErrorThatSaysWhatToDo) {
  ASSERT_TRUE(page_->Navigate(site_.url("/links"), Secs(10)).ok());
  auto r = page_->Download(DownloadAction::Click("#html"), Out("x.pdf"), /*print_html=*/false, Secs(15));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("html: print"), std::string::npos) << r.message();
}

TEST_F(BrowserTest, APopupThatNeverShowsAnythingEndsAtTheDeadline) {
  // It stays undecided (about:blank), so it is polled: the polls end with the step's time.
  ASSERT_TRUE(page_->Navigate(site_.url("/links"), Secs(10)).ok());
  auto t0 = std::chrono::steady_clock::now();
  auto r = page_->Download(DownloadAction::Click("#blankpopup"), Out("x.pdf"), true,
                           Deadline::In(std::chrono::milliseconds(800)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kTimeout) << r.message();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST_F(BrowserTest, AClickThatDownloadsNothingTimesOut) {
  ASSERT_TRUE(page_->Navigate(site_.url("/links"), Secs(10)).ok());
  auto r = page_->Download(DownloadAction::Click("#nothing"), Out("x.pdf"), true,
                           Deadline::In(std::chrono::milliseconds(800)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.kind(), ErrorKind::kTimeout);
  EXPECT_NE(r.message().find("nothing was downloaded"), std::string::npos) << r.message();
}

class ErrorAnswers : public BrowserTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(ErrorAnswers, FailAtOnceAndSayWhatCameInstead) {
  ASSERT_TRUE(page_->Navigate(site_.url("/links"), Secs(10)).ok());
  auto t0 = std::chrono::steady_clock::now();
  auto r = page_->Download(DownloadAction::Click(std::string("#") + GetParam()), Out("x.pdf"), /*print_html=*/true,
                           Secs(20));
  ASSERT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5)) << "waited for the timeout";
  EXPECT_EQ(r.kind(), ErrorKind::kPortalError) << r.message();
  EXPECT_NE(r.message().find("a text/plain page (" + site_.url("/busy") + ", HTTP 504)"), std::string::npos)
      << r.message();
  EXPECT_FALSE(fs::exists(Out("x.pdf")));
}

INSTANTIATE_TEST_SUITE_P(InTheTabOrANewOne, ErrorAnswers, ::testing::Values("busy", "busytab", "busypopup"));

TEST_F(BrowserTest, PrintToPdfGivesAValidPdf) {
  ASSERT_TRUE(page_->Navigate(site_.url("/form"), Secs(10)).ok());
  std::string dest = Out("print.pdf");
  ASSERT_TRUE(page_->PrintToPdf(dest, Secs(10)).ok());
  std::string bytes = ReadAll(dest);
  EXPECT_EQ(bytes.rfind("%PDF-", 0), 0u);
  EXPECT_NE(bytes.find("%%EOF", bytes.size() > 1024 ? bytes.size() - 1024 : 0), std::string::npos);
}

// Issue 18: a password typed into a text field, or echoed by the portal, is
// in a failure screenshot unless the page is masked first.
TEST_F(BrowserTest, MaskSecretsLeavesNoSecretToSeeInFieldsTextOrPasswordInputs) {
  ASSERT_TRUE(page_->Navigate(site_.url("/form"), Secs(10)).ok());
  ASSERT_TRUE(page_->Fill("#name", "user s3cret-pass", Secs(5)).ok());
  ASSERT_TRUE(page_->Evaluate("document.body.insertAdjacentHTML('beforeend', '<input type=password id=pw "
                              "value=other><p id=echo>Senha: s3cret-pass (ok)</p>'); true",
                              Secs(5))
                  .ok());
  ASSERT_TRUE(page_->MaskSecrets({"s3cret-pass"}, Secs(5)).ok());
  EXPECT_EQ(page_->Evaluate("document.getElementById('name').value", Secs(5)).value(), "user ***");
  EXPECT_EQ(page_->Evaluate("document.getElementById('pw').value", Secs(5)).value(), "");
  EXPECT_EQ(page_->Evaluate("document.getElementById('echo').textContent", Secs(5)).value(), "Senha: *** (ok)");
  EXPECT_EQ(page_->Evaluate("document.body.innerText.includes('s3cret')", Secs(5)).value(), false);
}

TEST_F(BrowserTest, ScreenshotAndHtmlForFailureArtifacts) {
  ASSERT_TRUE(page_->Navigate(site_.url("/form"), Secs(10)).ok());
  std::string png = Out("shot.png");
  ASSERT_TRUE(page_->Screenshot(png, Secs(10)).ok());
  EXPECT_EQ(ReadAll(png).substr(1, 3), "PNG");
  auto html = page_->Html(Secs(5));
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("id=\"late-btn\""), std::string::npos);
}

TEST_F(BrowserTest, BrowserKilledMidDownloadGivesAClearErrorAndNoZombie) {
  ASSERT_TRUE(page_->Navigate(site_.url("/links"), Secs(10)).ok());
  pid_t pid = browser_->pid();
  std::thread killer([pid] {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    kill(pid, SIGKILL);
  });
  auto r = page_->Download(DownloadAction::Click("#slow"), Out("slow.pdf"), false, Secs(20));
  killer.join();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.kind() == ErrorKind::kConnectionClosed || r.kind() == ErrorKind::kTargetCrashed) << r.message();
  EXPECT_NE(r.message().find("closed"), std::string::npos) << r.message();
  EXPECT_FALSE(browser_->alive());
  page_.reset();
  browser_->Close();
  EXPECT_EQ(test_support::ProcessesInGroup(pid), 0);
  EXPECT_EQ(test_support::ZombieChildren(), 0);
  EXPECT_FALSE(fs::exists(Out("slow.pdf")) && fs::file_size(Out("slow.pdf")) == TestSite::PdfBytes().size());
}

TEST(BrowserLifecycle, FiftyLaunchCloseCyclesLeaveNothingBehind) {
  fs::path root = fs::temp_directory_path() / ("boletos-cycles-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  LaunchOptions options;
  options.temp_root = root.string();
  std::vector<pid_t> pids;
  for (int i = 0; i < 50; ++i) {
    auto b = Browser::Launch(options);
    ASSERT_TRUE(b.ok()) << "cycle " << i << ": " << b.message();
    pids.push_back((*b)->pid());
    (*b)->Close();
  }
  for (pid_t pid : pids) EXPECT_EQ(test_support::ProcessesInGroup(pid), 0);
  EXPECT_EQ(test_support::ZombieChildren(), 0);
  EXPECT_TRUE(fs::is_empty(root)) << "profile or temp folders left in " << root;
  fs::remove_all(root);
}

TEST(BrowserLifecycle, ADisposedBrowserIsKilledAtOnceAndGoneWithItsFoldersAfterFlush) {
  fs::path root = fs::temp_directory_path() / ("boletos-dispose-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  LaunchOptions options;
  options.temp_root = root.string();
  std::vector<pid_t> pids;
  {
    BrowserDisposer disposer;
    for (int i = 0; i < 5; ++i) {
      auto b = Browser::Launch(options);
      ASSERT_TRUE(b.ok()) << "cycle " << i << ": " << b.message();
      Browser* browser = b->get();
      pid_t pid = browser->pid();
      pids.push_back(pid);
      auto page = browser->NewPage(Secs(10));  // a renderer in the group too
      ASSERT_TRUE(page.ok()) << page.message();
      page->reset();
      disposer.Dispose(std::move(*b));
      // The SIGKILL went out before Dispose returned: the group dies
      // without anyone waiting for it (a zombie until the background reap).
      bool died = false;
      for (int waited = 0; waited < 5000 && !died; waited += 5) {
        died = test_support::LiveProcessesInGroup(pid) == 0;
        if (!died) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      EXPECT_TRUE(died) << "browser group " << pid << " still running after Dispose";
    }
    disposer.Flush();
    for (pid_t pid : pids) EXPECT_EQ(test_support::ProcessesInGroup(pid), 0) << "group " << pid << " not reaped";
    EXPECT_EQ(test_support::ZombieChildren(), 0);
    EXPECT_TRUE(fs::is_empty(root)) << "profile or temp folders left in " << root;
    // The destructor flushes too: one more, never flushed by hand.
    auto last = Browser::Launch(options);
    ASSERT_TRUE(last.ok()) << last.message();
    pids.push_back((*last)->pid());
    disposer.Dispose(std::move(*last));
  }
  EXPECT_EQ(test_support::ProcessesInGroup(pids.back()), 0);
  EXPECT_EQ(test_support::ZombieChildren(), 0);
  EXPECT_TRUE(fs::is_empty(root)) << "the destructor left a browser folder in " << root;
  fs::remove_all(root);
}

// SPEC "The browser process": a minimal environment, no descriptor of the worker's.
TEST(BrowserLifecycle, TheBrowserGetsNoSecretAndNoDescriptorOfTheWorker) {
  fs::path root = fs::temp_directory_path() / ("boletos-env-" + std::to_string(getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  setenv("PORTAL_PASSWORD", "s3cret-of-the-portal", 1);
  setenv("BOLETOS_STATUS_TOKEN", "t0ken-of-the-port", 1);
  std::string marker = (root / "worker-only.db").string();
  int fd = open(marker.c_str(), O_CREAT | O_RDWR, 0600);  // no O_CLOEXEC: it would be inherited
  ASSERT_GE(fd, 0);
  LaunchOptions options;
  options.temp_root = (root / "browsers").string();
  fs::create_directories(options.temp_root);
  auto b = Browser::Launch(options);
  ASSERT_TRUE(b.ok()) << b.message();
  pid_t pid = (*b)->pid();
  std::string environ_text = ReadAll("/proc/" + std::to_string(pid) + "/environ");
  EXPECT_EQ(environ_text.find("s3cret-of-the-portal"), std::string::npos);
  EXPECT_EQ(environ_text.find("PORTAL_PASSWORD"), std::string::npos);
  EXPECT_EQ(environ_text.find("BOLETOS_"), std::string::npos);
  EXPECT_NE(environ_text.find("PATH="), std::string::npos) << "what Chromium needs is kept";
  EXPECT_NE(environ_text.find("TMPDIR=" + options.temp_root), std::string::npos);
  int inherited = 0;
  for (const auto& e : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    std::error_code ec;
    if (fs::read_symlink(e.path(), ec).string() == marker) ++inherited;
  }
  EXPECT_EQ(inherited, 0) << "the browser holds the worker's file";
  (*b)->Close();
  close(fd);
  unsetenv("PORTAL_PASSWORD");
  unsetenv("BOLETOS_STATUS_TOKEN");
  fs::remove_all(root);
}

TEST(BrowserLifecycle, AMissingChromiumSaysHowToInstallIt) {
  LaunchOptions options;
  options.executable = "/nonexistent/chromium";
  auto b = Browser::Launch(options);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.kind(), ErrorKind::kNotFound);
  EXPECT_NE(b.message().find("apt-get install chromium-headless-shell"), std::string::npos);
}

}  // namespace
