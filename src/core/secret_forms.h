#pragma once
// The ways a secret shows up once something has encoded it: a portal's URL
// (`?senha=S3nh%40-forte`), a JSON body or CDP message, a Basic
// Authorization header's base64, the HTML of a failure page. The Redactor
// masks each of them, not only the secret as written.

#include <string>
#include <vector>

namespace boletos {

// The secret itself first, then each distinct encoded form: percent-encoded
// (RFC 3986 and encodeURIComponent's sets, upper- and lower-case hex, and
// `+` for spaces as forms send them), JSON-escaped (with and without \u for
// non-ASCII), base64 (standard and URL-safe, with and without padding) and
// HTML-escaped.
std::vector<std::string> SecretForms(const std::string& secret);

}  // namespace boletos
