// The HTML a failure keeps: the tab's document, then each frame's, so a
// login in an <iframe> or a grid in a frame can be read after the fact.
// A process's frames come from its frame tree (Page.getFrameTree), each
// read in an isolated world of its own; frames in other processes (other
// sites, with site isolation) are not in that tree and are read through
// their own targets, and theirs in turn. Best effort per frame: a frame
// that cannot be read is named with the reason, and the rest are written.

#include <string>

#include "cdp/json_fields.h"
#include "cdp/page.h"

namespace boletos::cdp {
namespace {

// A page with thousands of frames (hostile or broken) must not make the
// artifact, or the time taken for it, unbounded.
constexpr int kMaxFrames = 32;
constexpr const char* kOuterHtml = "document.documentElement ? document.documentElement.outerHTML : ''";

// Text from the browser (a frame's URL or name) inside an HTML comment:
// "--" would end the comment early.
std::string CommentSafe(std::string text) {
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  for (size_t i = text.find("--"); i != std::string::npos; i = text.find("--", i)) text.replace(i, 2, "- -");
  return text;
}

struct FrameEntry {
  std::string id, url, name;
};

// The frames below node in one session's frame tree, depth first.
void CollectFrames(const Json& node, size_t limit, std::vector<FrameEntry>& out) {
  const Json* children = Field(node, "childFrames");
  if (children == nullptr || !children->is_array()) return;
  for (const Json& child : *children) {
    if (out.size() >= limit || !child.is_object()) return;
    const Json& frame = ObjectField(child, "frame");
    std::string id = StringField(frame, "id");
    if (id.empty()) continue;
    out.push_back({id, StringField(frame, "url"), StringField(frame, "name")});
    CollectFrames(child, limit, out);
  }
}

void AppendFrame(const std::string& url, const std::string& name, std::string& out) {
  out += "\n<!-- boletos: frame " + CommentSafe(url) + (name.empty() ? "" : " named " + CommentSafe(name)) + " -->\n";
}

void AppendDocument(const Result<Json>& html, std::string& out) {
  if (html.ok() && html->is_string()) {
    out += html->get<std::string>();
  } else {
    out += "<!-- boletos: not read: " + CommentSafe(html.ok() ? "no document" : html.message()) + " -->\n";
  }
}

}  // namespace

Result<std::string> Page::HtmlWithFrames(Deadline deadline) {
  FrameScope top{session_id_, 0, "", 0, 0, ""};
  auto html = EvaluateIn(top, kOuterHtml, deadline);
  if (!html.ok()) return html.error();
  std::string out = html->is_string() ? html->get<std::string>() : std::string();
  int kept = 0;
  AppendFramesOf(session_id_, kept, out, deadline);
  if (kept >= kMaxFrames) out += "\n<!-- boletos: only the first " + std::to_string(kMaxFrames) + " frames are kept -->\n";
  return out;
}

void Page::AppendFramesOf(const std::string& session, int& kept, std::string& out, Deadline deadline) {
  // The frames in this session's process: its frame tree lists them.
  auto tree = conn_->Call("Page.getFrameTree", Json::object(), session, deadline);
  if (!tree.ok()) {
    out += "\n<!-- boletos: frames not listed: " + CommentSafe(tree.message()) + " -->\n";
    return;
  }
  std::vector<FrameEntry> frames;
  CollectFrames(ObjectField(*tree, "frameTree"), static_cast<size_t>(kMaxFrames - kept), frames);
  for (const FrameEntry& f : frames) {
    if (kept >= kMaxFrames) return;
    ++kept;
    AppendFrame(f.url, f.name, out);
    auto world =
        conn_->Call("Page.createIsolatedWorld", {{"frameId", f.id}, {"worldName", "boletos"}}, session, deadline);
    if (!world.ok()) {
      out += "<!-- boletos: not read: " + CommentSafe(world.message()) + " -->\n";
      continue;
    }
    AppendDocument(EvaluateIn(FrameScope{session, IntField(*world, "executionContextId"), f.id, 0, 0, ""},
                              kOuterHtml, deadline),
                   out);
  }
  // The frames of other processes (other sites, with site isolation): not
  // in the tree, but targets of their own attached through this session.
  if (Status s = AttachFramesOf(session, deadline); !s.ok()) {
    out += "\n<!-- boletos: frames of other sites not listed: " + CommentSafe(s.message()) + " -->\n";
    return;
  }
  std::vector<FrameTarget> remote;
  {
    std::lock_guard<std::mutex> lock(frame_targets_->mu);
    for (const auto& [id, target] : frame_targets_->by_frame) {
      if (target.parent_session == session) remote.push_back(target);
    }
  }
  for (const FrameTarget& target : remote) {
    if (kept >= kMaxFrames) return;
    ++kept;
    AppendFrame(target.url, "", out);
    AppendDocument(EvaluateIn(FrameScope{target.session, 0, "", 0, 0, ""}, kOuterHtml, deadline), out);
    AppendFramesOf(target.session, kept, out, deadline);
  }
}

}  // namespace boletos::cdp
