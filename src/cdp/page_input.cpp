// Page input: clicks with real mouse events, typing, selecting, key presses.

#include <algorithm>
#include <cctype>
#include <thread>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "cdp/js_quote.h"
#include "cdp/page.h"
#include "cdp/page_scripts.h"
#include "core/duration.h"

namespace boletos::cdp {
namespace {


std::string CallWith(const char* function, const Json& args) {
  std::string call = std::string("(") + function + ")(";
  for (size_t i = 0; i < args.size(); ++i) call += (i ? "," : "") + args[i].dump();
  return call + ")";
}

struct KeyDefinition {
  std::string code;
  int key_code;
  std::string text;
};

// The keys flows press; single printable characters are handled apart.
const std::map<std::string, KeyDefinition>& NamedKeys() {
  static const std::map<std::string, KeyDefinition> keys = {
      {"Enter", {"Enter", 13, "\r"}},  {"Tab", {"Tab", 9, ""}},          {"Escape", {"Escape", 27, ""}},
      {"Backspace", {"Backspace", 8, ""}}, {"Delete", {"Delete", 46, ""}}, {"Space", {"Space", 32, " "}},
      {"ArrowUp", {"ArrowUp", 38, ""}}, {"ArrowDown", {"ArrowDown", 40, ""}}, {"ArrowLeft", {"ArrowLeft", 37, ""}},
      {"ArrowRight", {"ArrowRight", 39, ""}}, {"Home", {"Home", 36, ""}},   {"End", {"End", 35, ""}},
      {"PageUp", {"PageUp", 33, ""}},  {"PageDown", {"PageDown", 34, ""}},
  };
  return keys;
}

// The key events that type one printable ASCII character on a US layout
// (what masks read: key, code, keyCode), or null for anything else.
std::optional<std::pair<Json, Json>> KeyEventsFor(char c) {
  static const std::map<char, std::pair<const char*, int>> punctuation = {
      {' ', {"Space", 32}},     {'.', {"Period", 190}}, {',', {"Comma", 188}},     {'-', {"Minus", 189}},
      {'/', {"Slash", 191}},    {';', {"Semicolon", 186}}, {'=', {"Equal", 187}}, {'\'', {"Quote", 222}},
      {'[', {"BracketLeft", 219}}, {']', {"BracketRight", 221}}, {'\\', {"Backslash", 220}}, {'`', {"Backquote", 192}},
  };
  if (c < 0x20 || c >= 0x7f) return std::nullopt;
  std::string code;
  int key_code = 0;
  if (std::isalpha(static_cast<unsigned char>(c))) {
    key_code = std::toupper(static_cast<unsigned char>(c));
    code = std::string("Key") + static_cast<char>(key_code);
  } else if (std::isdigit(static_cast<unsigned char>(c))) {
    key_code = c;
    code = std::string("Digit") + c;
  } else if (auto p = punctuation.find(c); p != punctuation.end()) {
    code = p->second.first;
    key_code = p->second.second;
  }
  std::string text(1, c);
  Json down = {{"type", "keyDown"}, {"key", text}, {"text", text}, {"unmodifiedText", text},
               {"code", code},      {"windowsVirtualKeyCode", key_code}};
  Json up = {{"type", "keyUp"}, {"key", text}, {"code", code}, {"windowsVirtualKeyCode", key_code}};
  return std::make_pair(down, up);
}

// Letters and digits only, lower case: how a value a mask reformatted
// (158.813.998-03 for 15881399803, 109,51 for 109.51) still compares.
std::string Essentials(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c >= 0x80) out += static_cast<char>(std::tolower(c));
  }
  return out;
}

}  // namespace

Status Page::TypeText(const std::string& text, Deadline deadline) {
  // Every event but the last is sent without waiting for its reply: the
  // browser handles a session's input in order, and the last reply means
  // all were handled. One round trip per field, not two per character.
  std::vector<std::pair<std::string, Json>> commands;
  for (size_t i = 0; i < text.size();) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    size_t len = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
    std::string ch = text.substr(i, len);
    i += len;
    if (auto keys = len == 1 ? KeyEventsFor(ch[0]) : std::nullopt) {
      commands.emplace_back("Input.dispatchKeyEvent", keys->first);
      commands.emplace_back("Input.dispatchKeyEvent", keys->second);
    } else {
      // Accented letters and the like: as a character typed with a dead
      // key or an input method would arrive (Puppeteer's sendCharacter).
      commands.emplace_back("Input.insertText", Json{{"text", ch}});
    }
  }
  for (size_t i = 0; i + 1 < commands.size(); ++i) conn_->Post(commands[i].first, commands[i].second, session_id_);
  if (commands.empty()) return Status::Ok();
  auto last = Call(commands.back().first, commands.back().second, deadline);
  return last.ok() ? Status::Ok() : Status(last.error());
}

Status Page::DispatchClick(double x, double y, Deadline deadline) {
  // The tab gets the events, at the point in its own viewport.
  const Json base = {{"x", x + scope_.dx}, {"y", y + scope_.dy}};
  Json move = base;
  move["type"] = "mouseMoved";
  Json press = base;
  press.update({{"type", "mousePressed"}, {"button", "left"}, {"buttons", 1}, {"clickCount", 1}});
  Json release = base;
  release.update({{"type", "mouseReleased"}, {"button", "left"}, {"buttons", 0}, {"clickCount", 1}});
  for (const Json& event : {move, press, release}) {
    auto r = Call("Input.dispatchMouseEvent", event, deadline);
    if (!r.ok()) return r.error();
  }
  return Status::Ok();
}

Status Page::Click(const std::string& selector, Deadline deadline) {
  std::string cover;  // what covered it last, in the frame or around it
  while (true) {
    auto point = WaitForElement(selector, deadline, /*visible=*/true, "point");
    if (!point.ok()) {
      if (point.kind() != ErrorKind::kTimeout) return point.error();
      // There but covered the whole time: name what covers it.
      auto inside = Evaluate("window.__boletosCover || null", Deadline::In(std::chrono::seconds(2)));
      if (inside.ok() && inside->is_string()) cover = inside->get<std::string>();
      if (cover.empty()) return point.error();
      return CoveredError(selector, cover, deadline);
    }
    if (!point->is_object() || !(*point)["x"].is_number() || !(*point)["y"].is_number()) {
      return MakeError(ErrorKind::kPortalError, "element " + JsQuote(selector) + " has no position to click");
    }
    double x = (*point)["x"].get<double>(), y = (*point)["y"].get<double>();
    if (frame_levels_.empty()) return DispatchClick(x, y, deadline);
    // In a frame: scrolling the element into view may have moved the frames
    // around it, and the documents around the frame (a cookie banner over
    // the login's iframe) may cover the point the tab will be clicked at.
    auto around = CoverAroundFrame(x, y, deadline);
    // The budget may run out inside a check (a slow page): the cover seen
    // the round before is still why the click did not happen.
    if (!around.ok() && around.kind() == ErrorKind::kTimeout && !cover.empty()) {
      return CoveredError(selector, cover, deadline);
    }
    if (!around.ok()) return around.error();
    if (around->empty()) return DispatchClick(x, y, deadline);
    cover = *around;
    if (deadline.expired()) return CoveredError(selector, cover, deadline);
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(deadline.remaining(), std::chrono::milliseconds(100)));
  }
}

Status Page::CoveredError(const std::string& selector, const std::string& cover, Deadline deadline) {
  auto url = Url(Deadline::In(std::chrono::seconds(2)));
  return MakeError(ErrorKind::kTimeout, "waited " + FormatDuration(deadline.budget()) + " to click " +
                                            JsQuote(selector) + " on " + (url.ok() ? *url : std::string("the page")) +
                                            ": " + cover.substr(0, 100) + " covers " + selector +
                                            " (an overlay, a banner or a spinner that did not go away)");
}

Status Page::Fill(const std::string& selector, const std::string& value, Deadline deadline) {
  auto focused = WaitForElement(selector, deadline, /*visible=*/true, "focus");
  if (!focused.ok()) return focused.error();
  if (value.empty()) {
    auto cleared = Evaluate(CallWith(scripts::kClearValue, Json::array({selector})), deadline);
    return cleared.ok() ? Status::Ok() : Status(cleared.error());
  }
  // Typed key by key over the selected content, so an input mask (CPF,
  // CNPJ, dates) formats it as it would for a person.
  if (Status typed = TypeText(value, deadline); !typed.ok()) return typed;
  auto held = Evaluate(CallWith(scripts::kFieldValue, Json::array({selector})), deadline);
  if (!held.ok()) return held.error();
  if (!held->is_object() || !(*held)["value"].is_string()) {
    return MakeError(ErrorKind::kPortalError, "element " + JsQuote(selector) + " went away while it was typed into");
  }
  std::string now = (*held)["value"].get<std::string>();
  if (now == value || Essentials(now) == Essentials(value)) return Status::Ok();
  if ((*held)["secret"] == true) {
    return MakeError(ErrorKind::kPortalError, "the password field " + JsQuote(selector) + " holds " +
                                                  std::to_string(now.size()) + " characters after " +
                                                  std::to_string(value.size()) + " were typed: the page changed it");
  }
  return MakeError(ErrorKind::kPortalError, "typed " + JsQuote(value) + " into " + JsQuote(selector) +
                                                " but it holds " + JsQuote(now.substr(0, 200)) +
                                                ": the page changed it beyond a mask's formatting");
}

Status Page::Select(const std::string& selector, const std::string& value, Deadline deadline) {
  if (Status present = WaitForSelector(selector, deadline); !present.ok()) return present;
  auto r = Evaluate(CallWith(scripts::kSelectOption, Json::array({selector, value})), deadline);
  if (!r.ok()) return r.error();
  std::string outcome = r->is_string() ? r->get<std::string>() : "";
  if (outcome == "ok") return Status::Ok();
  if (outcome == "not-select") {
    return MakeError(ErrorKind::kPortalError, "element " + JsQuote(selector) + " is not a <select>");
  }
  if (outcome == "no-option") {
    return MakeError(ErrorKind::kPortalError,
                     "select " + JsQuote(selector) + " has no option with value or text " + JsQuote(value));
  }
  return MakeError(ErrorKind::kPortalError, "element " + JsQuote(selector) + " disappeared before it could be selected");
}

Status Page::Press(const std::string& key, Deadline deadline) {
  std::pair<Json, Json> events;
  auto named = NamedKeys().find(key);
  if (named != NamedKeys().end()) {
    const KeyDefinition& def = named->second;
    Json down = {{"type", def.text.empty() ? "rawKeyDown" : "keyDown"},
                 {"key", key == "Space" ? " " : key},
                 {"code", def.code},
                 {"windowsVirtualKeyCode", def.key_code}};
    if (!def.text.empty()) down["text"] = def.text;
    Json up = {{"type", "keyUp"}, {"key", down["key"]}, {"code", def.code}, {"windowsVirtualKeyCode", def.key_code}};
    events = {down, up};
  } else if (auto typed = key.size() == 1 ? KeyEventsFor(key[0]) : std::nullopt) {
    events = *typed;
  } else {
    std::string known;
    for (const auto& [name, _] : NamedKeys()) known += (known.empty() ? "" : ", ") + name;
    return MakeError(ErrorKind::kBadInput, "unknown key " + JsQuote(key) + ": use one character or one of " + known);
  }
  for (const Json& event : {events.first, events.second}) {
    auto r = Call("Input.dispatchKeyEvent", event, deadline);
    if (!r.ok()) return r.error();
  }
  return Status::Ok();
}

}  // namespace boletos::cdp
