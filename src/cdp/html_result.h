#pragma once
// The two things Page::Download does with an HTML page it ended on (see
// html_result.cpp): take the PDF out of a viewer, or print the page once it
// shows the client.

#include <optional>
#include <string>
#include <vector>

#include "cdp/cdp_connection.h"
#include "cdp/page.h"
#include "core/deadline.h"
#include "core/result.h"

namespace boletos::cdp {

// The page on session embeds a PDF (<iframe>, <frame>, <embed>, <object>
// whose URL or type says PDF): it is fetched with the page's cookies and
// written to dest_path as sent. nullopt when the page embeds none.
Result<std::optional<DownloadResult>> SaveEmbeddedPdf(CdpConnection& conn, const std::string& session,
                                                      const std::string& dest_path, int64_t max_bytes,
                                                      Deadline deadline);

// Waits until the page's text shows every needle (with digits_too, a
// needle's digits among the text's digits also count): true, or false at
// the deadline. No needles: true at once.
Result<bool> WaitUntilPageShows(CdpConnection& conn, const std::string& session, const std::vector<std::string>& needles,
                          bool digits_too, Deadline deadline);

}  // namespace boletos::cdp
