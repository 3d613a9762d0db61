#pragma once
// Page: one browser tab on a flattened CDP session, and the operations a
// flow needs. Every operation takes a Deadline and ends by it; a page crash
// or a browser death ends it at once with kTargetCrashed/kConnectionClosed.
// Errors name the operation, the selector or URL, and how long it waited.
// A Page is used by one thread at a time.

#include <memory>
#include <string>
#include <vector>

#include "cdp/cdp_connection.h"
#include "cdp/dialog_log.h"
#include "core/deadline.h"
#include "core/result.h"

namespace boletos::cdp {

// What a download step asks for: a click on a selector or a URL to open.
struct DownloadAction {
  std::string click_selector;  // exactly one of these two
  std::string url;
};

// How a download ended.
struct DownloadResult {
  enum class Kind { kFile, kPrintedHtml } kind = Kind::kFile;
  std::string source_url;         // the file's or the printed page's URL
  std::string suggested_filename;  // from the download, if any
  int64_t bytes = 0;
};

class Page {
 public:
  Page(std::shared_ptr<CdpConnection> conn, std::string target_id, std::string session_id, std::string download_dir);
  ~Page();  // closes the tab (best effort; the browser may be gone)
  Page(const Page&) = delete;
  Page& operator=(const Page&) = delete;

  const std::string& target_id() const { return target_id_; }
  const std::string& session_id() const { return session_id_; }

  // Enables the domains the page operations listen to, and starts answering
  // the page's JavaScript dialogs (see dialog_log.h). Called once by Browser.
  Status Init(Deadline deadline);

  // The dialogs the page and its popups showed since the last call, oldest
  // first, e.g. `alert "Sessão expirada"`; each was answered already.
  std::vector<std::string> TakeDialogs() { return dialogs_.Take(); }

  // Navigates and waits for the load event. A URL that turns into a
  // download is not an error here: became_download says so.
  struct Navigation {
    bool became_download = false;
  };
  Result<Navigation> Navigate(const std::string& url, Deadline deadline);

  Status WaitForSelector(const std::string& selector, Deadline deadline, bool visible = false);
  Status WaitForUrlContains(const std::string& fragment, Deadline deadline);
  Status WaitForText(const std::string& text, Deadline deadline);

  // Evaluates an expression (awaiting a promise); returns its JSON value.
  // A thrown exception is kPortalError with the exception's text.
  Result<Json> Evaluate(const std::string& expression, Deadline deadline);

  // Waits until visible, scrolls into view, and clicks its centre with real
  // mouse events (move, press, release).
  Status Click(const std::string& selector, Deadline deadline);
  // Focuses, selects the current content and types value (input events fire).
  Status Fill(const std::string& selector, const std::string& value, Deadline deadline);
  // Picks the option whose value (or else visible text) is value.
  Status Select(const std::string& selector, const std::string& value, Deadline deadline);
  // Presses and releases a key: "Enter", "Tab", "Escape", "ArrowDown", "a"...
  Status Press(const std::string& key, Deadline deadline);

  // Prints the current page to a PDF at path, streamed (IO.read).
  Status PrintToPdf(const std::string& path, Deadline deadline);
  Status Screenshot(const std::string& path, Deadline deadline);
  // Makes every secret unseen in the page before a screenshot (see
  // scripts::kMaskSecrets): fields emptied or masked, text masked.
  Status MaskSecrets(const std::vector<std::string>& secrets, Deadline deadline);
  // A full garbage collection in the page's renderer (V8 and the DOM heap).
  Status CollectGarbage(Deadline deadline);
  Result<std::string> Html(Deadline deadline);
  Result<std::string> Url(Deadline deadline);

  // Runs the action and saves what it yields at dest_path: a file sent as an
  // attachment, an inline PDF, the same in a new tab or popup, or a blob. An
  // HTML page that opens instead (same tab or new tab) is printed to PDF when
  // print_html is set, and is a kPortalError saying so otherwise.
  Result<DownloadResult> Download(const DownloadAction& action, const std::string& dest_path, bool print_html,
                                  Deadline deadline);

  CdpConnection& connection() { return *conn_; }

 private:
  Result<Json> Call(const std::string& method, const Json& params, Deadline deadline);
  // Runs function(args..., slice_ms) in the page until it returns something
  // other than false or null (returned) or the deadline passes (false);
  // survives navigations in between.
  Result<Json> PollInPage(const std::string& function, const Json& args, Deadline deadline);
  // WaitForSelector that also runs `then` on the element once it is there
  // (see scripts::kWaitForSelector) and returns its result.
  Result<Json> WaitForElement(const std::string& selector, Deadline deadline, bool visible, const std::string& then);
  Status DispatchClick(double x, double y, Deadline deadline);

  std::shared_ptr<CdpConnection> conn_;
  std::string target_id_;
  std::string session_id_;
  std::string download_dir_;
  DialogLog dialogs_;            // before the subscription that fills it
  Subscription dialog_answers_;  // lives as long as the tab
};

// Streams a CDP IO stream (from printToPDF or takeResponseBodyAsStream) into
// a file; returns the number of bytes written.
Result<int64_t> SaveStream(CdpConnection& conn, const std::string& session_id, const std::string& handle,
                           const std::string& path, Deadline deadline);

// Prints the page on session_id to path (shared by Page and popups).
Status PrintSessionToPdf(CdpConnection& conn, const std::string& session_id, const std::string& path,
                         Deadline deadline);

}  // namespace boletos::cdp
