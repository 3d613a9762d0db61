// SPEC "Flow file": a login answered HTTP 429 or 503 is retried with
// backoff, honouring Retry-After; a portal that stays busy ends the login
// with an error saying so. On a real headless shell; the test site's login
// sends 503 with Retry-After: 1 for the first N requests.

#include <gtest/gtest.h>

#include "browser_fixture.h"
#include "flow/flow_parser.h"
#include "flow/flow_runner.h"

using namespace boletos;
using test_support::BrowserTest;
using test_support::Secs;

namespace {

class BusyLogin : public BrowserTest {
 protected:
  Status LogIn(int busy_times, flow::FlowRunner::WaitUntil wait_until = {}) {
    const std::string text = "login:\n  steps:\n    - goto: \"" + site_.url("/busy-login?times=" + std::to_string(busy_times)) +
                             "\"\n    - wait_for: { selector: \"#user\", timeout: 2s }\nclient:\n  - print_pdf: {}\n";
    auto flow = flow::ParseFlow(text, "busy.yaml", {});
    EXPECT_TRUE(flow.ok()) << flow.message();
    flow_ = *flow;
    return flow::FlowRunner(flow_, Period{2026, 12}, [](const std::string&) { return std::nullopt; },
                            std::move(wait_until))
        .Login(*page_);
  }
  int Hits() { return site_.Count("/busy-login/hits"); }
  flow::Flow flow_;
};

TEST_F(BusyLogin, A503WithRetryAfterIsWaitedOutAndTheLoginGoesThrough) {
  Status s = LogIn(2);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Hits(), 3) << "two busy answers, then the login";
}

TEST_F(BusyLogin, APortalThatStaysBusyEndsTheLoginSayingSo) {
  Status s = LogIn(100);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kPortalError);
  EXPECT_NE(s.message().find("the portal answered the login with HTTP 503 at " + site_.url("/busy-login?times=100") +
                             " (Retry-After: 1 s), 4 times in a row: it is busy; try later"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(Hits(), 4);
}

// SIGTERM during the Retry-After wait (the run's stop signal says so): the
// login ends at once, interrupted, and the portal is not asked again.
TEST_F(BusyLogin, AStopDuringTheWaitEndsTheLoginAtOnce) {
  int waits = 0;
  Status s = LogIn(100, [&](std::chrono::steady_clock::time_point) {
    ++waits;
    return false;  // a stop was requested while waiting
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.kind(), ErrorKind::kInterrupted) << s.message();
  EXPECT_NE(s.message().find("stopped while waiting to log in again (HTTP 503"), std::string::npos) << s.message();
  EXPECT_EQ(waits, 1);
  EXPECT_EQ(Hits(), 1) << "no login after the stop";
}

}  // namespace
