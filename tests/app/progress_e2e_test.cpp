// README "Watching it": `run` on a terminal keeps a progress line below the
// log (clients done of the total, the rate, the time left, the memory);
// its log read through a pipe, as a container's is, has no such line.
// The terminal is a real pseudo-terminal (util-linux `script`), and the
// portal answers each search 1.5 s late so the run outlasts the line's 1 s beat.

#include <gtest/gtest.h>

#include "e2e_workspace.h"

namespace boletos::e2e {
namespace {

std::string ShellQuoted(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    std::string quoted = "'";
    for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += (line.empty() ? "" : " ") + quoted + "'";
  }
  return line;
}

TEST(Progress, ARunOnATerminalKeepsAProgressLineBelowItsLog) {
  Workspace ws(3);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  ws.SetFaults("delay_ms=1500");
  std::vector<std::string> argv = {BOLETOS_BIN};
  for (const auto& arg : ws.RunArgs()) argv.push_back(arg);
  Outcome o = RunToEnd({"/usr/bin/script", "-qfec", ShellQuoted(argv), "/dev/null"}, ws.Env(), ws.Path("logs/tty"),
                       Ms(90000));
  ASSERT_EQ(o.code, 0) << o.all();
  const std::string& tty = o.out;
  auto drawn = tty.find("\r\033[K");
  ASSERT_NE(drawn, std::string::npos) << "no line was drawn in place:\n" << tty;
  EXPECT_NE(tty.find("/3 done, "), std::string::npos) << tty;
  EXPECT_NE(tty.find(" s left"), std::string::npos) << tty;
  EXPECT_NE(tty.find("memory "), std::string::npos) << tty;
  // The log lines are all there, and the last one is the summary.
  EXPECT_NE(tty.find("run 1 finished normally: 3 done"), std::string::npos) << tty;
}

TEST(Progress, ARunWhoseLogIsAPipeWritesPlainLinesOnly) {
  Workspace ws(2);
  ws.StartPortal();
  ASSERT_EQ(ws.Import().code, 0);
  ws.SetFaults("delay_ms=1500");
  Outcome o = ws.Boletos(ws.RunArgs());
  ASSERT_EQ(o.code, 0) << o.all();
  EXPECT_EQ(o.out.find('\r'), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("\033["), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find(" s left"), std::string::npos) << o.out;
}

}  // namespace
}  // namespace boletos::e2e
