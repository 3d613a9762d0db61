#include "cdp/page.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "cdp/base64.h"
#include "cdp/evaluate_reply.h"
#include "cdp/event_waiter.h"
#include "cdp/js_quote.h"
#include "cdp/json_fields.h"
#include "cdp/page_scripts.h"
#include "core/duration.h"

namespace boletos::cdp {
namespace {


Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  errno = 0;
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return MakeError(ErrorKind::kIo, "cannot write " + path + (errno ? ": " + std::string(std::strerror(errno)) : ""));
  return Status::Ok();
}

}  // namespace

Page::Page(std::shared_ptr<CdpConnection> conn, std::string target_id, std::string session_id,
           std::string download_dir, std::string browser_context_id)
    : conn_(std::move(conn)),
      target_id_(std::move(target_id)),
      session_id_(std::move(session_id)),
      download_dir_(std::move(download_dir)),
      browser_context_id_(std::move(browser_context_id)),
      frame_targets_(std::make_shared<FrameTargets>()) {
  scope_.session_id = session_id_;
}

Page::~Page() {
  if (!conn_->closed()) {
    (void)conn_->Call("Target.closeTarget", {{"targetId", target_id_}}, "", Deadline::In(std::chrono::seconds(2)));
    if (!browser_context_id_.empty()) {
      (void)conn_->Call("Target.disposeBrowserContext", {{"browserContextId", browser_context_id_}}, "",
                        Deadline::In(std::chrono::seconds(2)));
    }
  }
}

Result<Json> Page::Call(const std::string& method, const Json& params, Deadline deadline) {
  return conn_->Call(method, params, session_id_, deadline);
}

Status Page::Init(Deadline deadline) {
  dialog_answers_ = AnswerDialogs(*conn_, session_id_, dialogs_);
  for (const char* method : {"Page.enable", "Inspector.enable"}) {
    auto r = Call(method, Json::object(), deadline);
    if (!r.ok()) return r.error();
  }
  return Status::Ok();
}

Result<Page::Navigation> Page::Navigate(const std::string& url, Deadline deadline) {
  EventWaiter waiter(*conn_, session_id_, {"Page.loadEventFired"});
  auto reply = Call("Page.navigate", {{"url", url}}, deadline);
  if (!reply.ok()) return reply.error();
  if (reply->contains("errorText")) {
    if (BoolField(*reply, "isDownload")) return Navigation{true};
    return MakeError(ErrorKind::kPortalError,
                     "could not open " + url + ": " + StringField(*reply, "errorText", "no reason given") +
                         " (is the portal up and the URL right?)");
  }
  if (!reply->contains("loaderId")) return Navigation{};  // same-document navigation: no load event
  auto loaded = waiter.Wait([](const CdpEvent&) { return true; }, deadline, "the page " + url + " to load");
  if (!loaded.ok()) return loaded.error();
  return Navigation{};
}

Result<Json> Page::Evaluate(const std::string& expression, Deadline deadline) {
  return EvaluateIn(scope_, expression, deadline);
}

Result<Json> Page::EvaluateIn(const FrameScope& scope, const std::string& expression, Deadline deadline) {
  Json params = {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}, {"userGesture", true}};
  if (scope.context_id != 0) params["contextId"] = scope.context_id;
  auto reply = conn_->Call("Runtime.evaluate", params, scope.session_id, deadline);
  if (!reply.ok()) return reply.error();
  if (reply->contains("exceptionDetails")) {
    const Json& details = ObjectField(*reply, "exceptionDetails");
    std::string text = StringField(details, "text", "exception");
    if (auto d = OptionalStringField(ObjectField(details, "exception"), "description")) text = *d;
    return MakeError(ErrorKind::kPortalError, "script failed in the page: " + text.substr(0, 500));
  }
  return EvaluatedValue(*reply);
}

Result<Json> Page::PollInPage(const std::string& function, const Json& args, Deadline deadline) {
  while (true) {
    auto left = deadline.remaining();
    if (left.count() <= 0) return Json(false);
    // Slices keep one evaluate from outliving a navigation by much.
    auto slice = std::min(left, std::chrono::milliseconds(10000));
    std::string call = "(" + function + ")(";
    for (size_t i = 0; i < args.size(); ++i) call += args[i].dump() + ",";
    call += std::to_string(slice.count()) + ")";
    // Subscribed before the evaluate, so a commit during it is not missed.
    EventWaiter committed(*conn_, scope_.session_id, {"Page.frameNavigated"});
    auto r = Evaluate(call, deadline.Within(slice + std::chrono::milliseconds(2000)));
    if (r.ok()) {
      if (!r->is_null() && !(r->is_boolean() && !r->get<bool>())) return r;
      continue;
    }
    if (ContextWasReplaced(r.error()) || r.kind() == ErrorKind::kTimeout) {
      if (deadline.expired()) return Json(false);
      // A new document is being committed: go on in it once it is (bounded,
      // in case this was no navigation at all).
      auto woke = committed.WaitAny(deadline.Within(std::chrono::milliseconds(100)));
      if (!woke.ok()) return woke.error();
      // A frame's isolated world went with its document: make one in the new one.
      if (scope_.context_id != 0) {
        if (Status renewed = RenewFrameContext(deadline); !renewed.ok()) return renewed.error();
      }
      continue;
    }
    return r.error();
  }
}

Status Page::WaitForSelector(const std::string& selector, Deadline deadline, bool visible) {
  auto found = WaitForElement(selector, deadline, visible, "");
  return found.ok() ? Status::Ok() : Status(found.error());
}

Result<Json> Page::WaitForElement(const std::string& selector, Deadline deadline, bool visible,
                                  const std::string& then) {
  // The function takes (sel, ms, visible, then); ms is appended by
  // PollInPage, so visible and then are bound here.
  std::string fn = std::string("(sel, ms) => (") + scripts::kWaitForSelector + ")(sel, ms, " +
                   (visible ? "true" : "false") + ", " + Json(then).dump() + ")";
  auto found = PollInPage(fn, Json::array({selector}), deadline);
  if (!found.ok()) {
    if (found.kind() == ErrorKind::kPortalError) {
      return MakeError(ErrorKind::kBadInput, "selector " + JsQuote(selector) + " is not valid CSS: " + found.message());
    }
    return found.error();
  }
  if (*found != Json(false)) return found;
  auto url = Url(Deadline::In(std::chrono::seconds(2)));
  return MakeError(ErrorKind::kTimeout, "waited " + FormatDuration(deadline.budget()) + " for " +
                                            (visible ? "a visible " : "") + "element " + JsQuote(selector) + " on " +
                                            (url.ok() ? *url : std::string("the page")) + ": it never appeared");
}

Status Page::WaitForText(const std::string& text, Deadline deadline) {
  auto found = PollInPage(scripts::kWaitForText, Json::array({text}), deadline);
  if (!found.ok()) return found.error();
  if (*found != Json(false)) return Status::Ok();
  return MakeError(ErrorKind::kTimeout,
                   "waited " + FormatDuration(deadline.budget()) + " for the text " + JsQuote(text) + " to appear");
}

Result<std::string> Page::HumanCheck(Deadline deadline) {
  auto found = Evaluate(scripts::kHumanCheck, deadline);
  if (!found.ok()) return found.error();
  if (!found->is_string()) return std::string();
  auto place = WhereNow(deadline);
  return found->get<std::string>() + " on " + (place.ok() ? place->Describe() : std::string("the page"));
}

Result<Page::Place> Page::WhereNow(Deadline deadline) {
  auto where = EvaluateIn(FrameScope{session_id_, 0, "", 0, 0, ""}, "[location.href, document.title]", deadline);
  if (!where.ok()) return where.error();
  Place place;
  if (where->is_array() && where->size() == 2 && (*where)[0].is_string() && (*where)[1].is_string()) {
    place.url = (*where)[0].get<std::string>().substr(0, 500);
    place.title = (*where)[1].get<std::string>().substr(0, 120);  // the portal's text: bounded
  }
  return place;
}

Result<bool> Page::ShowsNow(const std::string& selector_or_text, bool is_text, Deadline deadline) {
  std::string quoted = Json(selector_or_text).dump();
  auto v = Evaluate(is_text ? "!!document.body && document.body.innerText.includes(" + quoted + ")"
                            : "!!document.querySelector(" + quoted + ")",
                    deadline);
  if (!v.ok()) return v.error();
  return v->is_boolean() && v->get<bool>();
}

Status Page::WaitForUrlContains(const std::string& fragment, Deadline deadline) {
  std::string last;
  while (!deadline.expired()) {
    auto url = Url(deadline);
    if (url.ok()) {
      last = *url;
      if (last.find(fragment) != std::string::npos) return Status::Ok();
    } else if (!ContextWasReplaced(url.error()) && url.kind() != ErrorKind::kTimeout) {
      return url.error();
    }
    // Wake on the next navigation instead of polling the URL in a loop.
    EventWaiter waiter(*conn_, session_id_, {"Page.frameNavigated", "Page.navigatedWithinDocument"});
    auto again = Url(deadline);
    if (again.ok() && again->find(fragment) != std::string::npos) return Status::Ok();
    auto woke = waiter.WaitAny(deadline.Within(std::chrono::milliseconds(500)));
    if (!woke.ok()) return woke.error();
  }
  return MakeError(ErrorKind::kTimeout, "waited " + FormatDuration(deadline.budget()) + " for the URL to contain " +
                                            JsQuote(fragment) + " (last URL: " + last + ")");
}

Result<std::string> Page::Url(Deadline deadline) {
  auto r = Evaluate("location.href", deadline);
  if (!r.ok()) return r.error();
  return r->is_string() ? r->get<std::string>() : std::string();
}

Result<std::string> Page::Html(Deadline deadline) {
  auto r = Evaluate("document.documentElement ? document.documentElement.outerHTML : ''", deadline);
  if (!r.ok()) return r.error();
  return r->is_string() ? r->get<std::string>() : std::string();
}

Status Page::Screenshot(const std::string& path, Deadline deadline) {
  auto r = Call("Page.captureScreenshot", {{"format", "png"}}, deadline);
  if (!r.ok()) return r.error();
  std::string png;
  if (!DecodeBase64(StringField(*r, "data"), png)) {
    return MakeError(ErrorKind::kProtocolError, "Page.captureScreenshot returned data that is not base64");
  }
  return WriteFile(path, png);
}

Status Page::MaskSecrets(const std::vector<std::string>& secrets, Deadline deadline) {
  Json list = Json::array();
  for (const auto& s : secrets) list.push_back(s);
  auto r = Evaluate(std::string("(") + scripts::kMaskSecrets + ")(" +
                        list.dump(-1, ' ', false, Json::error_handler_t::replace) + ")",
                    deadline);
  return r.ok() ? Status::Ok() : Status(r.error());
}

Status Page::CollectGarbage(Deadline deadline) {
  auto r = Call("HeapProfiler.collectGarbage", Json::object(), deadline);
  return r.ok() ? Status::Ok() : Status(r.error());
}

Status Page::PrintToPdf(const std::string& path, Deadline deadline) {
  return PrintSessionToPdf(*conn_, session_id_, path, deadline);
}

Status PrintSessionToPdf(CdpConnection& conn, const std::string& session_id, const std::string& path,
                         Deadline deadline) {
  auto r = conn.Call("Page.printToPDF", {{"printBackground", true}, {"transferMode", "ReturnAsStream"}}, session_id,
                     deadline);
  if (!r.ok()) return r.error();
  auto saved = SaveStream(conn, session_id, StringField(*r, "stream"), path, deadline);
  if (!saved.ok()) return saved.error();
  return Status::Ok();
}

Result<int64_t> SaveStream(CdpConnection& conn, const std::string& session_id, const std::string& handle,
                           const std::string& path, Deadline deadline) {
  if (handle.empty()) return MakeError(ErrorKind::kProtocolError, "the browser returned no stream handle");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return MakeError(ErrorKind::kIo, "cannot create " + path);
  int64_t total = 0;
  std::string chunk;
  // The write's errno (ENOSPC on a full disk), caught before other calls change it.
  int write_errno = 0;
  auto write = [&](const std::string& bytes) {
    errno = 0;
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out && write_errno == 0) write_errno = errno;
    total += static_cast<int64_t>(bytes.size());
  };
  while (true) {
    auto r = conn.Call("IO.read", {{"handle", handle}, {"size", 1 << 20}}, session_id, deadline);
    if (!r.ok()) return r.error();
    const Json* field = Field(*r, "data");
    if (field == nullptr || !field->is_string()) {
      return MakeError(ErrorKind::kProtocolError, "IO.read returned no data");
    }
    const std::string& data = field->get_ref<const std::string&>();
    if (BoolField(*r, "base64Encoded")) {
      if (!DecodeBase64(data, chunk)) return MakeError(ErrorKind::kProtocolError, "IO.read returned bad base64");
      write(chunk);
    } else {
      write(data);
    }
    if (BoolField(*r, "eof") || !out) break;
  }
  (void)conn.Call("IO.close", {{"handle", handle}}, session_id, deadline);
  errno = 0;
  out.close();
  if (!out && write_errno == 0) write_errno = errno;
  if (!out) {
    return MakeError(ErrorKind::kIo, "cannot write " + path + ": " +
                                         (write_errno ? std::strerror(write_errno) : "write failed (disk full?)"));
  }
  return total;
}

}  // namespace boletos::cdp
