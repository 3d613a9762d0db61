#pragma once
// Base64 decoding for CDP payloads (IO.read chunks, screenshots).

#include <string>

namespace boletos::cdp {

// Decodes standard base64 (padding optional, whitespace ignored). Returns
// false on a character outside the alphabet.
bool DecodeBase64(const std::string& in, std::string& out);

}  // namespace boletos::cdp
