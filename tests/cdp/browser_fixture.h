#pragma once
// BrowserTest: a real headless shell with one tab, and the TestSite, for
// each test; TearDown checks that no browser process or folder is left.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cdp/browser.h"
#include "process_census.h"
#include "test_site.h"

namespace boletos::test_support {

namespace fs = std::filesystem;
using cdp::Browser;
using cdp::LaunchOptions;
using cdp::Page;

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline Deadline Secs(int s) { return Deadline::In(std::chrono::seconds(s)); }

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) c = (c == '/') ? '_' : c;  // parameterised names hold a slash
    tmp_ = fs::temp_directory_path() / ("boletos-cdp-test-" + std::to_string(getpid()) + "-" + name);
    fs::remove_all(tmp_);
    fs::create_directories(tmp_ / "browsers");
    Relaunch({});
  }
  // (Re)starts the browser with these extra flags, and one tab in it.
  void Relaunch(const std::vector<std::string>& extra_args) {
    page_.reset();
    browser_.reset();
    LaunchOptions options;
    options.temp_root = (tmp_ / "browsers").string();
    options.extra_args = extra_args;
    auto b = Browser::Launch(options);
    ASSERT_TRUE(b.ok()) << b.message();
    browser_ = std::move(*b);
    auto p = browser_->NewPage(Secs(10));
    ASSERT_TRUE(p.ok()) << p.message();
    page_ = std::move(*p);
  }
  void TearDown() override {
    page_.reset();
    if (browser_) {
      pid_t pgid = browser_->pid();
      browser_.reset();
      EXPECT_EQ(test_support::ProcessesInGroup(pgid), 0) << "a browser process outlived its Browser";
    }
    EXPECT_TRUE(fs::is_empty(tmp_ / "browsers")) << "the browser's profile folder was left behind";
    fs::remove_all(tmp_);
  }
  std::string Out(const std::string& name) { return (tmp_ / name).string(); }

  TestSite site_;
  fs::path tmp_;
  std::unique_ptr<Browser> browser_;
  std::unique_ptr<Page> page_;
};

}  // namespace boletos::test_support
