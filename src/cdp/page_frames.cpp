// Page frames: acting inside an <iframe> (a login form in one, a CAPTCHA in
// one inside it). A same-process frame gets an isolated world of its own
// (Playwright's utility world: the page's scripts cannot see or break our
// helpers); a cross-origin frame is a target of its own, attached to once
// the first time one is needed, and its main world is used.

#include "cdp/event_waiter.h"
#include "cdp/js_quote.h"
#include "cdp/json_fields.h"
#include "cdp/page.h"
#include "cdp/page_scripts.h"
#include "core/duration.h"

namespace boletos::cdp {
namespace {

// (sel, scroll) -> the frame element's content origin in its document's
// viewport (after scrolling it into view, with scroll); null until it is a
// frame element whose document (where the parent can see it) has loaded.
constexpr const char* kFrameOrigin = R"JS(
(sel, scroll) => {
  const el = document.querySelector(sel);
  if (!el) return null;
  if (el.tagName !== 'IFRAME' && el.tagName !== 'FRAME') return {notFrame: el.tagName.toLowerCase()};
  let doc = null;
  try { doc = el.contentDocument; } catch (e) { doc = null; }
  if (doc && (doc.readyState !== 'complete' ||
              (doc.location.href === 'about:blank' && (el.getAttribute('src') || 'about:blank') !== 'about:blank')))
    return null;
  // Its top-left in view: a form inside starts there, and a frame taller
  // than its parent's viewport must not have its top cut off.
  if (scroll) el.scrollIntoView({block: 'start', inline: 'start'});
  const r = el.getBoundingClientRect();
  const s = getComputedStyle(el);
  return {x: r.left + el.clientLeft + parseFloat(s.paddingLeft || 0),
          y: r.top + el.clientTop + parseFloat(s.paddingTop || 0)};
})JS";

// (sel, x, y) -> "" when the frame element sel is the topmost at (x, y) of
// this document's viewport (or the point is outside it), else what is, as
// `#id` or `tag.class`.
constexpr const char* kCoverAt = R"JS(
(sel, x, y) => {
  const frame = document.querySelector(sel);
  const hit = document.elementFromPoint(x, y);
  if (!frame || !hit || hit === frame) return '';
  const cls = typeof hit.className === 'string' ? hit.className.trim().split(/\s+/).filter(Boolean) : [];
  return hit.id ? '#' + hit.id : hit.tagName.toLowerCase() + cls.slice(0, 2).map(c => '.' + c).join('');
})JS";

}  // namespace

Status Page::EnterFrames(const std::vector<std::string>& path, Deadline deadline) {
  LeaveFrames();
  for (const std::string& selector : path) {
    auto child = ChildFrame(selector, deadline);
    if (!child.ok()) {
      Error e = child.error();
      if (!scope_.path.empty()) e.message += " (inside " + scope_.path + ")";
      LeaveFrames();
      return e;
    }
    frame_levels_.emplace_back(scope_, selector);
    scope_ = *child;
  }
  return Status::Ok();
}

void Page::LeaveFrames() {
  scope_ = FrameScope{};
  scope_.session_id = session_id_;
  frame_levels_.clear();
}

Result<std::string> Page::CoverAroundFrame(double x, double y, Deadline deadline) {
  // Each frame's origin in its parent's viewport, outermost first.
  std::vector<std::pair<double, double>> origins;
  for (const auto& [parent, selector] : frame_levels_) {
    auto origin = EvaluateIn(parent, std::string("(") + kFrameOrigin + ")(" + JsQuote(selector) + ", false)", deadline);
    if (!origin.ok()) return origin.error();
    if (!origin->is_object() || !origin->contains("x")) {
      return MakeError(ErrorKind::kPortalError, "the frame " + JsQuote(selector) + " went away or is loading again");
    }
    origins.emplace_back(NumberField(*origin, "x").value_or(0), NumberField(*origin, "y").value_or(0));
  }
  scope_.dx = scope_.dy = 0;
  for (const auto& [ox, oy] : origins) {
    scope_.dx += ox;
    scope_.dy += oy;
  }
  // The point in each parent's viewport: the point in the frame plus the
  // origins of this level and of every level inside it.
  for (size_t level = 0; level < frame_levels_.size(); ++level) {
    double px = x, py = y;
    for (size_t inner = level; inner < origins.size(); ++inner) {
      px += origins[inner].first;
      py += origins[inner].second;
    }
    const auto& [parent, selector] = frame_levels_[level];
    auto hit = EvaluateIn(parent, std::string("(") + kCoverAt + ")(" + JsQuote(selector) + ", " + std::to_string(px) +
                                      ", " + std::to_string(py) + ")",
                          deadline);
    if (!hit.ok()) return hit.error();
    if (hit->is_string() && !hit->get<std::string>().empty()) return hit->get<std::string>();
  }
  return std::string();
}

Result<FrameScope> Page::ChildFrame(const std::string& selector, Deadline deadline) {
  auto origin = PollInPage(std::string("(sel, ms) => new Promise((resolve) => {"
                                       "  const f = ") + kFrameOrigin + ";"
                                       "  const end = Date.now() + ms;"
                                       "  const tick = () => { let v = null; try { v = f(sel, true); } catch (e) { return resolve({invalid: String(e)}); }"
                                       "    if (v !== null || Date.now() >= end) return resolve(v === null ? false : v);"
                                       "    setTimeout(tick, 50); };"
                                       "  tick(); })",
                           Json::array({selector}), deadline);
  if (!origin.ok()) return origin.error();
  if (*origin == Json(false)) {
    return MakeError(ErrorKind::kTimeout, "waited " + FormatDuration(deadline.budget()) + " for the frame " +
                                              JsQuote(selector) + " to exist and load: it never did");
  }
  if (origin->contains("invalid")) {
    return MakeError(ErrorKind::kBadInput, "frame selector " + JsQuote(selector) + " is not valid CSS: " +
                                               StringField(*origin, "invalid"));
  }
  if (origin->contains("notFrame")) {
    return MakeError(ErrorKind::kPortalError, "frame " + JsQuote(selector) + " is a <" +
                                                  StringField(*origin, "notFrame") + ">, not an <iframe>");
  }
  // The frame's id, through the element's node.
  Json params = {{"expression", "document.querySelector(" + JsQuote(selector) + ")"}, {"objectGroup", "boletos-frame"}};
  if (scope_.context_id != 0) params["contextId"] = scope_.context_id;
  auto element = conn_->Call("Runtime.evaluate", params, scope_.session_id, deadline);
  if (!element.ok()) return element.error();
  std::string object_id = StringField(ObjectField(*element, "result"), "objectId");
  auto node = conn_->Call("DOM.describeNode", {{"objectId", object_id}}, scope_.session_id, deadline);
  (void)conn_->Call("Runtime.releaseObjectGroup", {{"objectGroup", "boletos-frame"}}, scope_.session_id, deadline);
  if (!node.ok()) return node.error();
  std::string frame_id = StringField(ObjectField(*node, "node"), "frameId");
  if (frame_id.empty()) {
    return MakeError(ErrorKind::kPortalError, "frame " + JsQuote(selector) + " has no document yet");
  }

  FrameScope child;
  child.frame_id = frame_id;
  child.dx = scope_.dx + NumberField(*origin, "x").value_or(0);
  child.dy = scope_.dy + NumberField(*origin, "y").value_or(0);
  child.path = scope_.path.empty() ? selector : scope_.path + " > " + selector;
  auto world = conn_->Call("Page.createIsolatedWorld", {{"frameId", frame_id}, {"worldName", "boletos"}},
                           scope_.session_id, deadline);
  if (world.ok()) {
    child.session_id = scope_.session_id;
    child.context_id = IntField(*world, "executionContextId");
    return child;
  }
  // Not in this process: a cross-origin frame, a target of its own.
  auto session = FrameSession(scope_.session_id, frame_id, deadline);
  if (!session.ok()) return session.error();
  child.session_id = *session;
  return child;
}

Status Page::AttachFramesOf(const std::string& session, Deadline deadline) {
  if (frame_attach_subscriptions_.count(session) > 0) return Status::Ok();
  // Subscribed before asking, so frames that are attached at once are heard.
  auto targets = frame_targets_;
  frame_attach_subscriptions_[session] =
      conn_->Subscribe("Target.attachedToTarget", session, [targets, session](const CdpEvent& e) {
        const Json& info = ObjectField(e.params, "targetInfo");
        if (StringField(info, "type") != "iframe") return;
        std::lock_guard<std::mutex> lock(targets->mu);
        targets->by_frame[StringField(info, "targetId")] =
            FrameTarget{StringField(e.params, "sessionId"), session, StringField(info, "url")};
        targets->attached.notify_all();
      });
  auto r = conn_->Call("Target.setAutoAttach",
                       {{"autoAttach", true}, {"waitForDebuggerOnStart", false}, {"flatten", true}}, session,
                       deadline);
  if (!r.ok()) {
    frame_attach_subscriptions_.erase(session);
    return r.error();
  }
  return Status::Ok();
}

Result<std::string> Page::FrameSession(const std::string& parent_session, const std::string& frame_id,
                                       Deadline deadline) {
  if (Status s = AttachFramesOf(parent_session, deadline); !s.ok()) return s.error();
  std::string session;
  {
    std::unique_lock<std::mutex> lock(frame_targets_->mu);
    // In slices: a browser that goes away notifies nobody here.
    while (frame_targets_->by_frame.count(frame_id) == 0) {
      if (conn_->closed()) return MakeError(ErrorKind::kConnectionClosed, "the browser closed its connection");
      if (deadline.expired()) {
        return MakeError(ErrorKind::kTimeout, "the cross-origin frame " + frame_id +
                                                  " could not be attached to in " + FormatDuration(deadline.budget()));
      }
      frame_targets_->attached.wait_until(
          lock, std::min(deadline.when(), Deadline::Clock::now() + std::chrono::milliseconds(200)));
    }
    session = frame_targets_->by_frame[frame_id].session;
  }
  // Page events (navigations) of its own, for the waits in it.
  (void)conn_->Call("Page.enable", Json::object(), session, deadline);
  return session;
}

Status Page::RenewFrameContext(Deadline deadline) {
  auto world = conn_->Call("Page.createIsolatedWorld", {{"frameId", scope_.frame_id}, {"worldName", "boletos"}},
                           scope_.session_id, deadline);
  if (!world.ok()) return world.error();
  scope_.context_id = IntField(*world, "executionContextId");
  return Status::Ok();
}

}  // namespace boletos::cdp
