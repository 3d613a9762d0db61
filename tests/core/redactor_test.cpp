#include "core/redactor.h"

#include <gtest/gtest.h>

using namespace boletos;

TEST(Redactor, MasksEverySecretOccurrence) {
  Redactor r;
  r.AddSecret("hunter2");
  r.AddSecret("hunter2-long");
  EXPECT_EQ(r.Redact("user=ana pass=hunter2-long again hunter2"), "user=ana pass=*** again ***");
}

TEST(Redactor, IgnoresTooShortValues) {
  Redactor r;
  r.AddSecret("1");
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.Redact("a1b1"), "a1b1");
}
