#pragma once
// HtmlEscape: text made safe to put inside HTML (element content or a
// quoted attribute). The status page and the demo portal both need it.

#include <string>

namespace boletos {

std::string HtmlEscape(const std::string& text);

}  // namespace boletos
