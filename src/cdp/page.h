#pragma once
// Page: one browser tab on a flattened CDP session, and the operations a
// flow needs. Every operation takes a Deadline and ends by it; a page crash
// or a browser death ends it at once with kTargetCrashed/kConnectionClosed.
// Errors name the operation, the selector or URL, and how long it waited.
// A Page is used by one thread at a time.

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cdp/cdp_connection.h"
#include "cdp/dialog_log.h"
#include "cdp/document_watch.h"
#include "core/deadline.h"
#include "core/result.h"

namespace boletos::cdp {

// What a download step asks for: a click on a selector or a URL to open.
struct DownloadAction {
  std::string click_selector;  // exactly one of these two
  std::string url;
  // An HTML page is printed only once its text shows all of these (the
  // client's document: with needles_are_document, its digits alone count).
  std::vector<std::string> html_must_show;
  bool needles_are_document = false;
  // A PDF taken out of a viewer page is refused beyond this.
  int64_t max_pdf_bytes = 20ll * 1024 * 1024;

  static DownloadAction Click(std::string selector) {
    DownloadAction a;
    a.click_selector = std::move(selector);
    return a;
  }
  static DownloadAction Open(std::string url) {
    DownloadAction a;
    a.url = std::move(url);
    return a;
  }
};

// How a download ended.
struct DownloadResult {
  enum class Kind { kFile, kPrintedHtml } kind = Kind::kFile;
  std::string source_url;         // the file's or the printed page's URL
  std::string suggested_filename;  // from the download, if any
  int64_t bytes = 0;
};

// Where the page's operations act: the tab's top document, or a frame
// reached through a path of iframe selectors. Clicks still go to the tab
// (the browser routes them into the frame, cross-origin too), at the
// frame's offset in the tab's viewport.
struct FrameScope {
  std::string session_id;  // the tab's, or a cross-origin frame's own
  int64_t context_id = 0;  // an isolated world in a same-process frame; 0: the session's main world
  std::string frame_id;    // "" for the top document
  double dx = 0, dy = 0;   // the frame's viewport origin in the tab's viewport
  std::string path;        // "iframe#login > iframe.captcha", for messages
};

class Page {
 public:
  // browser_context_id: the tab's own browser context ("" for the default
  // one), disposed of with the tab.
  Page(std::shared_ptr<CdpConnection> conn, std::string target_id, std::string session_id, std::string download_dir,
       std::string browser_context_id = "");
  ~Page();  // closes the tab (best effort; the browser may be gone)
  Page(const Page&) = delete;
  Page& operator=(const Page&) = delete;

  const std::string& target_id() const { return target_id_; }
  const std::string& session_id() const { return session_id_; }

  // Enables the domains the page operations listen to, and starts answering
  // the page's JavaScript dialogs (see dialog_log.h). Called once by Browser.
  Status Init(Deadline deadline);

  // What the tab must not fetch while blocking is on: resource types as CDP
  // names them ("Image", ...) and URL patterns with `*`. Blocked requests
  // fail as the browser's own blocking would (BlockedByClient).
  void SetBlockList(std::vector<std::string> types, std::vector<std::string> url_patterns);
  // Turns the block list on or off (nothing to do without one, or when it
  // is that way already).
  Status Block(bool on, Deadline deadline);

  // The HTTP status of the documents this tab loads while the watch lives.
  std::unique_ptr<DocumentWatch> WatchDocuments(Deadline deadline) {
    return std::make_unique<DocumentWatch>(conn_, session_id_, deadline);
  }

  // The dialogs the page and its popups showed since the last call, oldest
  // first, e.g. `alert "Sessão expirada"`; each was answered already.
  std::vector<std::string> TakeDialogs() { return dialogs_.Take(); }

  // Makes the operations below act inside the frame at the end of path
  // (each selector names an <iframe> or <frame> in the document before
  // it), waiting for each frame to exist and, where it can be seen, to
  // have loaded. Errors name the frame that is missing. LeaveFrames (or a
  // FrameGuard) goes back to the top document.
  Status EnterFrames(const std::vector<std::string>& path, Deadline deadline);
  void LeaveFrames();
  const FrameScope& scope() const { return scope_; }

  // Navigates and waits for the load event. A URL that turns into a
  // download is not an error here: became_download says so.
  struct Navigation {
    bool became_download = false;
  };
  Result<Navigation> Navigate(const std::string& url, Deadline deadline);

  Status WaitForSelector(const std::string& selector, Deadline deadline, bool visible = false);
  Status WaitForUrlContains(const std::string& fragment, Deadline deadline);
  Status WaitForText(const std::string& text, Deadline deadline);
  // What on the page asks for a human (a CAPTCHA or a bot challenge), as
  // "reCAPTCHA on URL (\"TITLE\")", or "" when nothing does.
  Result<std::string> HumanCheck(Deadline deadline);
  // Whether the page shows this now, without waiting: an element matching
  // the selector, or (is_text) the text in the page's visible text.
  Result<bool> ShowsNow(const std::string& selector_or_text, bool is_text, Deadline deadline);

  // Evaluates an expression (awaiting a promise); returns its JSON value.
  // A thrown exception is kPortalError with the exception's text.
  Result<Json> Evaluate(const std::string& expression, Deadline deadline);

  // Waits until visible, scrolls into view, and clicks its centre with real
  // mouse events (move, press, release).
  Status Click(const std::string& selector, Deadline deadline);
  // Focuses, selects the current content and types value key by key (as
  // keydown/keypress/input/keyup, so input masks apply); then the field
  // must hold the value, or the same letters and digits as a mask formats
  // them, else kPortalError names what it holds.
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
  // The top document's HTML, then each frame's (up to 32) after a comment
  // naming its URL; a frame that cannot be read is named with the reason.
  // For failure artifacts (page_artifacts.cpp).
  Result<std::string> HtmlWithFrames(Deadline deadline);
  Result<std::string> Url(Deadline deadline);
  // Where the tab is: its top document's URL and title (both bounded), for
  // error messages.
  struct Place {
    std::string url, title;
    std::string Describe() const { return url + " (\"" + title + "\")"; }
  };
  Result<Place> WhereNow(Deadline deadline);

  // Runs the action and saves what it yields at dest_path: a file sent as an
  // attachment, an inline PDF, the same in a new tab or popup, a blob, or
  // the PDF a viewer page embeds. Any other HTML page that opens instead
  // (same tab or new tab) is printed to PDF when print_html is set, once it
  // shows action.html_must_show, and is a kPortalError saying so otherwise.
  Result<DownloadResult> Download(const DownloadAction& action, const std::string& dest_path, bool print_html,
                                  Deadline deadline);

  CdpConnection& connection() { return *conn_; }

 private:
  Result<Json> Call(const std::string& method, const Json& params, Deadline deadline);
  Result<Json> EvaluateIn(const FrameScope& scope, const std::string& expression, Deadline deadline);
  // For a click at (x, y) in the current frame: sets scope_'s offset to the
  // frame's origin in the tab's viewport as it is now (the element's own
  // scroll into view may have scrolled the frames around it), and returns
  // what, in a document around the frame, covers that point ("" if nothing:
  // each frame element of the path is the topmost there).
  Result<std::string> CoverAroundFrame(double x, double y, Deadline deadline);
  Status CoveredError(const std::string& selector, const std::string& cover, Deadline deadline);
  // Runs function(args..., slice_ms) in the page until it returns something
  // other than false or null (returned) or the deadline passes (false);
  // survives navigations in between.
  Result<Json> PollInPage(const std::string& function, const Json& args, Deadline deadline);
  // WaitForSelector that also runs `then` on the element once it is there
  // (see scripts::kWaitForSelector) and returns its result.
  Result<Json> WaitForElement(const std::string& selector, Deadline deadline, bool visible, const std::string& then);
  Status DispatchClick(double x, double y, Deadline deadline);
  // The scope of the frame that the element `selector` (an iframe in the
  // current scope) holds.
  Result<FrameScope> ChildFrame(const std::string& selector, Deadline deadline);
  // The session of a cross-origin frame (its own target) whose parent
  // document is in parent_session, attaching to that session's frames the
  // first time one is needed there (a frame of another site inside one of
  // another site is attached to through its parent's session).
  Result<std::string> FrameSession(const std::string& parent_session, const std::string& frame_id,
                                   Deadline deadline);
  // Makes session report (and attach to) the frames of other processes in
  // its document; those already there are reported before this returns.
  Status AttachFramesOf(const std::string& session, Deadline deadline);
  // A new isolated world in scope_'s frame, after its document changed.
  Status RenewFrameContext(Deadline deadline);
  // HtmlWithFrames' walk of one session's frame tree: appends each frame's
  // HTML to out, and the frames of a frame in a target of its own.
  void AppendFramesOf(const std::string& session, int& kept, std::string& out, Deadline deadline);
  // Types text into the focused element with key events.
  Status TypeText(const std::string& text, Deadline deadline);

  std::shared_ptr<CdpConnection> conn_;
  std::string target_id_;
  std::string session_id_;
  std::string download_dir_;
  std::string browser_context_id_;
  DialogLog dialogs_;            // before the subscription that fills it
  Subscription dialog_answers_;  // lives as long as the tab
  FrameScope scope_;             // where operations act; the top document by default
  // The way there: each frame's parent scope and the frame's selector in it.
  std::vector<std::pair<FrameScope, std::string>> frame_levels_;
  std::vector<std::string> block_types_, block_urls_;
  bool blocking_ = false;
  Subscription blocked_requests_;  // answers Fetch.requestPaused while blocking
  // Cross-origin frames' sessions by frame id, filled by Target.attachedToTarget
  // in each session that auto-attaches its frames (see FrameSession); shared
  // with the subscriptions' handlers, which run on the connection's thread.
  struct FrameTarget {
    std::string session, parent_session, url;
  };
  struct FrameTargets {
    std::mutex mu;
    std::condition_variable attached;
    std::map<std::string, FrameTarget> by_frame;  // a frame target's id is its frame's id
  };
  std::shared_ptr<FrameTargets> frame_targets_;
  std::map<std::string, Subscription> frame_attach_subscriptions_;  // by the session that auto-attaches
};

// Enters a frame path for one step and goes back to the top document when
// it goes out of scope, whatever the step did.
class FrameGuard {
 public:
  explicit FrameGuard(Page& page) : page_(page) {}
  ~FrameGuard() { page_.LeaveFrames(); }
  FrameGuard(const FrameGuard&) = delete;
  FrameGuard& operator=(const FrameGuard&) = delete;

 private:
  Page& page_;
};

// Streams a CDP IO stream (from printToPDF or takeResponseBodyAsStream) into
// a file; returns the number of bytes written.
Result<int64_t> SaveStream(CdpConnection& conn, const std::string& session_id, const std::string& handle,
                           const std::string& path, Deadline deadline);

// Prints the page on session_id to path (shared by Page and popups).
Status PrintSessionToPdf(CdpConnection& conn, const std::string& session_id, const std::string& path,
                         Deadline deadline);

}  // namespace boletos::cdp
