// Page::Download: run an action and capture what it yields, whichever way
// the portal delivers it. Browser-level download events (setDownloadBehavior
// allowAndName, set once per browser) cover attachments, inline PDFs (the
// headless shell downloads them), popups and blobs; a main-frame navigation
// or a popup that loads an HTML document is the "HTML opened instead" case.

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "cdp/evaluate_reply.h"
#include "cdp/html_result.h"
#include "cdp/event_waiter.h"
#include "cdp/json_fields.h"
#include "cdp/page.h"
#include "cdp/page_scripts.h"
#include "core/duration.h"

namespace boletos::cdp {
namespace fs = std::filesystem;
namespace {

// The browser's file becomes the worker's: a browser that runs as another
// user (BrowserIdentity) wrote it, and a slip in the output folder belongs
// to whoever runs boletos, not to `nobody`.
Status TakeOwnership(const std::string& path) {
  if (geteuid() != 0) return Status::Ok();  // not root: the browser ran as this user
  if (chown(path.c_str(), geteuid(), getegid()) != 0 || chmod(path.c_str(), 0644) != 0) {
    return MakeError(ErrorKind::kIo, "cannot make the download " + path + " the worker's: " + std::strerror(errno));
  }
  return Status::Ok();
}

Status MoveFile(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) == 0) return TakeOwnership(to);
  if (errno != EXDEV) {
    return MakeError(ErrorKind::kIo, "cannot move the download to " + to + ": " + std::strerror(errno));
  }
  std::error_code ec;  // different file systems: copy, then remove
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return MakeError(ErrorKind::kIo, "cannot copy the download to " + to + ": " + ec.message());
  fs::remove(from, ec);
  return TakeOwnership(to);
}

// The state of one download attempt, fed by events.
struct DownloadState {
  std::string guid;
  std::string url;
  std::string suggested;
  std::string file_path;
  bool completed = false;
  bool canceled = false;
  std::set<std::string> our_frames;                 // our tab and popups we opened
  std::map<std::string, std::string> popups;        // targetId -> sessionId
  std::vector<std::string> popups_to_attach;
  // Popup sessions whose document has not been judged yet. A popup runs
  // before we attach: its document may commit, or finish loading, before its
  // events are listened to, so each is looked at whenever it loads and on
  // every poll until it shows something (or goes away).
  std::set<std::string> undecided_popups;
  // An HTML page that loaded (our tab after the action, or a popup): the
  // slip to print, or a page still at work ("aguarde", polling) that will
  // lead to the slip. It is judged once it shows the client, or once it
  // has been quiet (no navigation, no new request) for kQuietBeforePrint.
  std::string html_session;
  std::string html_url;
  int64_t html_resources = -1;  // requests the page had made when last looked at
  std::chrono::steady_clock::time_point html_quiet_since;
  bool html_embed_checked = false;
  std::map<std::string, std::string> navigated;  // sessionId -> URL committed (main frame)
  std::vector<std::string> loaded;               // sessions that loaded since: to look at
  std::string error_page;  // "a text/plain page (URL, HTTP 504)": an answer that is no slip
};

// How often an undecided popup is asked where it stands.
constexpr std::chrono::milliseconds kPopupPoll{250};
// How long an HTML page that does not show the client must stay quiet (no
// navigation, no new request) before it is judged as it is: an "aguarde"
// page redirects or polls sooner; another client's slip is then printed
// and refused by the slip check.
constexpr std::chrono::milliseconds kQuietBeforePrint{3000};

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

bool IsHtmlType(const std::string& content_type) {
  return content_type == "text/html" || content_type == "application/xhtml+xml";
}

// What a portal's error answer comes as: a gateway's text/plain 504, a JSON
// or XML error. A PDF never commits as a document here (the shell downloads
// it), and other types (images) are left to the download or the timeout.
bool IsErrorDocumentType(const std::string& content_type) {
  if (IsHtmlType(content_type)) return false;
  return content_type.rfind("text/", 0) == 0 || content_type == "application/json" ||
         content_type == "application/xml" || EndsWith(content_type, "+json") || EndsWith(content_type, "+xml");
}

}  // namespace

Result<DownloadResult> Page::Download(const DownloadAction& action, const std::string& dest_path, bool print_html,
                                      Deadline deadline) {
  EventWaiter waiter(*conn_, session_id_, {"Page.frameNavigated", "Page.loadEventFired"});
  waiter.Watch("", {"Browser.downloadWillBegin", "Browser.downloadProgress", "Target.targetCreated"});
  DownloadState st;
  st.our_frames.insert(target_id_);
  std::vector<Subscription> popup_dialogs;  // a popup's alert() must not hold it up either
  auto next_poll = std::chrono::steady_clock::now() + kPopupPoll;  // of the undecided popups

  std::string what;
  if (!action.click_selector.empty()) {
    what = "click " + action.click_selector;
    if (Status s = Click(action.click_selector, deadline); !s.ok()) return s.error();
    // What the click yields is looked for in the tab and its popups: a link
    // in a frame (scope_) still opens its slip there.
    LeaveFrames();
  } else {
    what = "open " + action.url;
    auto reply = Call("Page.navigate", {{"url", action.url}}, deadline);
    if (!reply.ok()) return reply.error();
    if (Field(*reply, "errorText") && !BoolField(*reply, "isDownload")) {
      return MakeError(ErrorKind::kPortalError, "could not open " + action.url + ": " +
                                                    StringField(*reply, "errorText", "no reason given"));
    }
  }

  auto close_popups = [&] {
    for (const auto& [target, _] : st.popups) {
      (void)conn_->Call("Target.closeTarget", {{"targetId", target}}, "", Deadline::In(std::chrono::seconds(2)));
    }
  };

  // A document that finished loading in our tab or a popup: an HTML page
  // to print, or an error the portal answered with (fail now, not at the
  // timeout).
  auto look_at = [&](const std::string& session, const Json& doc) {
    // doc comes from a script in the page, which the page can fool: read it like a browser message.
    if (!doc.is_object() || StringField(doc, "url") == "about:blank" || StringField(doc, "readyState") != "complete") {
      return;
    }
    std::string type = StringField(doc, "contentType");
    if (IsHtmlType(type) && (st.html_session.empty() || st.html_session == session)) {
      std::string url = StringField(doc, "url");
      int64_t resources = IntField(doc, "resources");
      if (st.html_session != session || st.html_url != url || st.html_resources != resources) {
        // A new page, or the same one still at work: quiet from now on.
        if (st.html_session != session || st.html_url != url) st.html_embed_checked = false;
        st.html_session = session;
        st.html_url = url;
        st.html_resources = resources;
        st.html_quiet_since = std::chrono::steady_clock::now();
      }
    } else if (IsErrorDocumentType(type) && st.error_page.empty()) {
      int64_t status = IntField(doc, "status");
      st.error_page = "a " + type + " page (" + StringField(doc, "url") +
                      (status > 0 ? ", HTTP " + std::to_string(status) : "") + ")";
    }
  };
  // Where a document stands (see scripts::kDocumentState); null while it
  // cannot say (navigating, or busy for more than a moment). gone is set
  // when the session no longer exists (a popup that closed itself).
  auto document_state = [&](const std::string& session, bool* gone = nullptr) -> Json {
    auto doc = conn_->Call("Runtime.evaluate", {{"expression", scripts::kDocumentState}, {"returnByValue", true}},
                           session, deadline.Within(std::chrono::seconds(2)));
    if (!doc.ok()) {
      if (gone) *gone = doc.kind() == ErrorKind::kProtocolError && !ContextWasReplaced(doc.error());
      return Json();
    }
    return EvaluatedValue(*doc);
  };

  while (true) {
    for (CdpEvent& e : waiter.Drain()) {
      const Json& p = e.params;
      if (e.method == "Browser.downloadWillBegin") {
        if (st.guid.empty() && st.our_frames.count(StringField(p, "frameId"))) {
          st.guid = StringField(p, "guid");
          st.url = StringField(p, "url");
          st.suggested = StringField(p, "suggestedFilename");
        }
      } else if (e.method == "Browser.downloadProgress") {
        if (!st.guid.empty() && StringField(p, "guid") == st.guid) {
          std::string state = StringField(p, "state");
          if (state == "completed") {
            st.completed = true;
            st.file_path = StringField(p, "filePath");
          } else if (state == "canceled") {
            st.canceled = true;
          }
        }
      } else if (e.method == "Target.targetCreated") {
        const Json& info = ObjectField(p, "targetInfo");
        std::string id = StringField(info, "targetId");
        // Opened by our tab or by one of its popups ("aguarde" pages that
        // open the slip in yet another window).
        if (StringField(info, "type") == "page" && st.our_frames.count(StringField(info, "openerId")) && !id.empty()) {
          st.our_frames.insert(id);
          st.popups_to_attach.push_back(id);
        }
      } else if (e.method == "Page.frameNavigated") {
        const Json& frame = ObjectField(p, "frame");
        if (frame.is_object() && !Field(frame, "parentId") && StringField(frame, "url") != "about:blank") {
          st.navigated[e.session_id] = StringField(frame, "url");
          // The page at work went on to another: judge that one when it loads.
          if (e.session_id == st.html_session) st.html_session.clear();
        }
      } else if (e.method == "Page.loadEventFired") {
        if (st.navigated.count(e.session_id) || st.undecided_popups.count(e.session_id)) {
          st.loaded.push_back(e.session_id);
        }
      }
    }

    // A document finished loading in our tab or a popup (see look_at).
    for (const std::string& session : st.loaded) look_at(session, document_state(session));
    st.loaded.clear();
    if (!st.error_page.empty()) st.undecided_popups.clear();

    for (const std::string& target : st.popups_to_attach) {
      auto attached = conn_->Call("Target.attachToTarget", {{"targetId", target}, {"flatten", true}}, "", deadline);
      if (!attached.ok()) continue;  // the popup closed itself (a download popup often does)
      std::string session = StringField(*attached, "sessionId");
      if (session.empty()) continue;  // no session to talk to: nothing to watch
      st.popups[target] = session;
      st.undecided_popups.insert(session);
      waiter.Watch(session, {"Page.frameNavigated", "Page.loadEventFired"});
      popup_dialogs.push_back(AnswerDialogs(*conn_, session, dialogs_));
      (void)conn_->Call("Page.enable", Json::object(), session, deadline);
      // It may have loaded before we listened: ask it where it stands.
      look_at(session, document_state(session));
    }
    st.popups_to_attach.clear();

    if (st.canceled) {
      close_popups();
      return MakeError(ErrorKind::kPortalError, "the download from " + st.url + " was canceled by the browser");
    }
    if (st.completed) {
      std::string from = st.file_path.empty() ? download_dir_ + "/" + st.guid : st.file_path;
      Status moved = MoveFile(from, dest_path);
      close_popups();
      if (!moved.ok()) return moved.error();
      struct stat sb {};
      stat(dest_path.c_str(), &sb);
      return DownloadResult{DownloadResult::Kind::kFile, st.url, st.suggested, static_cast<int64_t>(sb.st_size)};
    }
    if (!st.error_page.empty() && st.guid.empty()) {
      close_popups();
      return MakeError(ErrorKind::kPortalError,
                       what + " opened " + st.error_page + " instead of a PDF: the portal answered with an error");
    }
    bool judge_html = false;
    if (!st.html_session.empty() && st.guid.empty()) {
      if (!st.html_embed_checked) {
        // A viewer page gives the PDF it shows.
        st.html_embed_checked = true;
        auto embedded = SaveEmbeddedPdf(*conn_, st.html_session, dest_path, action.max_pdf_bytes, deadline);
        if (!embedded.ok() || embedded->has_value()) {
          close_popups();
          if (!embedded.ok()) return embedded.error();
          return **embedded;
        }
      }
      // The slip shows its client; an "aguarde" page does not, and goes on
      // (a redirect, a poll) before it has been quiet for kQuietBeforePrint.
      auto shown = WaitUntilPageShows(*conn_, st.html_session, action.html_must_show, action.needles_are_document,
                                      deadline.Within(std::chrono::milliseconds(600)));
      bool quiet = std::chrono::steady_clock::now() - st.html_quiet_since >= kQuietBeforePrint;
      judge_html = (shown.ok() && *shown) || quiet;
    }
    if (judge_html) {
      if (!print_html) {
        close_popups();
        return MakeError(ErrorKind::kPortalError, what + " opened an HTML page (" + st.html_url +
                                                      ") instead of a PDF; add `html: print` to the download step "
                                                      "to print such pages");
      }
      Status printed = PrintSessionToPdf(*conn_, st.html_session, dest_path, deadline);
      close_popups();
      if (!printed.ok()) return printed.error();
      struct stat sb {};
      stat(dest_path.c_str(), &sb);
      return DownloadResult{DownloadResult::Kind::kPrintedHtml, st.html_url, "", static_cast<int64_t>(sb.st_size)};
    }

    // While a popup is undecided and nothing downloads, ask it where it
    // stands every kPopupPoll, events or not (other tabs' events wake this
    // wait too): no event order can then hide a document that finished
    // loading.
    bool polling = (!st.undecided_popups.empty() || !st.html_session.empty()) && st.error_page.empty() &&
                   st.guid.empty();
    auto now = std::chrono::steady_clock::now();
    if (!polling) next_poll = now + kPopupPoll;
    auto woke = waiter.WaitAny(polling ? Deadline::At(std::min(next_poll, deadline.when())) : deadline);
    if (!woke.ok()) {
      close_popups();
      return woke.error();
    }
    if (polling && std::chrono::steady_clock::now() >= next_poll && !deadline.expired()) {
      next_poll = std::chrono::steady_clock::now() + kPopupPoll;
      for (auto it = st.undecided_popups.begin(); it != st.undecided_popups.end();) {
        bool gone = false;
        Json doc = document_state(*it, &gone);
        if (gone) {
          if (*it == st.html_session) st.html_session.clear();
          it = st.undecided_popups.erase(it);  // it closed itself
          continue;
        }
        look_at(*it, doc);
        ++it;
      }
      // Our own tab's page at work: is it still making requests?
      if (!st.html_session.empty() && !st.undecided_popups.count(st.html_session)) {
        bool gone = false;
        Json doc = document_state(st.html_session, &gone);
        if (gone) st.html_session.clear();
        else look_at(st.html_session, doc);
      }
      continue;
    }
    if (!*woke && deadline.expired()) {
      if (!st.guid.empty()) {
        Json cancel = {{"guid", st.guid}};
        if (!browser_context_id_.empty()) cancel["browserContextId"] = browser_context_id_;
        (void)conn_->Call("Browser.cancelDownload", cancel, "", Deadline::In(std::chrono::seconds(2)));
      }
      close_popups();
      return MakeError(ErrorKind::kTimeout,
                       "waited " + FormatDuration(deadline.budget()) + " after " + what + ": " +
                           (!st.guid.empty()          ? "the download from " + st.url + " did not finish"
                            : !st.html_session.empty() ? "the page " + st.html_url +
                                                             " was still at work and never showed the client"
                                                       : "nothing was downloaded and no page opened"));
    }
  }
}

}  // namespace boletos::cdp
