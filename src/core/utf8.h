#pragma once
// UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing
// above U+10FFFF.

#include <cstddef>
#include <string_view>

namespace boletos {

// The offset of the first byte that is not part of valid UTF-8, or npos.
size_t FindInvalidUtf8(std::string_view text);

inline bool IsValidUtf8(std::string_view text) { return FindInvalidUtf8(text) == std::string_view::npos; }

}  // namespace boletos
