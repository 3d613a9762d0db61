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

// SPEC "Templates": a secret never appears in any encoding either.
TEST(Redactor, MasksTheSecretInEveryEncodingAPortalOrALogGivesIt) {
  Redactor r;
  r.AddSecret("S3nh@ forte/\"ção");
  const char* forms[] = {
      "?senha=S3nh%40%20forte%2F%22%C3%A7%C3%A3o&x=1",  // RFC 3986, upper-case
      "?senha=S3nh%40%20forte%2f%22%c3%a7%c3%a3o&x=1",  // lower-case hex
      "senha=S3nh%40+forte%2F%22%C3%A7%C3%A3o&x=1",     // a form's body
      "{\"senha\":\"S3nh@ forte/\\\"ção\",\"x\":1}",     // JSON
      "{\"senha\":\"S3nh@ forte/\\\"\\u00e7\\u00e3o\",\"x\":1}",  // JSON, ASCII only
      "Authorization: Basic UzNuaEAgZm9ydGUvIsOnw6Nv",  // base64
      "value=\"S3nh@ forte/&quot;ção\"",               // HTML
  };
  for (const char* form : forms) {
    std::string out = r.Redact(form);
    EXPECT_NE(out.find("***"), std::string::npos) << form << " -> " << out;
    EXPECT_EQ(out.find("S3nh"), std::string::npos) << form << " -> " << out;
    EXPECT_EQ(out.find("UzNuaEAg"), std::string::npos) << form << " -> " << out;
  }
}
