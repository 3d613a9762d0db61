// Page input: clicks with real mouse events, typing, selecting, key presses.

#include <map>

#include "cdp/js_quote.h"
#include "cdp/page.h"
#include "cdp/page_scripts.h"

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

}  // namespace

Status Page::DispatchClick(double x, double y, Deadline deadline) {
  const Json base = {{"x", x}, {"y", y}};
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
  auto point = WaitForElement(selector, deadline, /*visible=*/true, "point");
  if (!point.ok()) return point.error();
  if (!point->is_object() || !(*point)["x"].is_number() || !(*point)["y"].is_number()) {
    return MakeError(ErrorKind::kPortalError, "element " + JsQuote(selector) + " has no position to click");
  }
  return DispatchClick((*point)["x"].get<double>(), (*point)["y"].get<double>(), deadline);
}

Status Page::Fill(const std::string& selector, const std::string& value, Deadline deadline) {
  auto focused = WaitForElement(selector, deadline, /*visible=*/true, "focus");
  if (!focused.ok()) return focused.error();
  if (value.empty()) {
    auto cleared = Evaluate(CallWith(scripts::kClearValue, Json::array({selector})), deadline);
    return cleared.ok() ? Status::Ok() : Status(cleared.error());
  }
  // insertText replaces the selection and fires input events like typing.
  auto r = Call("Input.insertText", {{"text", value}}, deadline);
  return r.ok() ? Status::Ok() : Status(r.error());
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
  KeyDefinition def;
  auto named = NamedKeys().find(key);
  if (named != NamedKeys().end()) {
    def = named->second;
  } else if (key.size() == 1 && key[0] >= 0x20 && key[0] < 0x7f) {
    char c = key[0];
    char upper = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    def = {std::isalpha(static_cast<unsigned char>(c)) ? std::string("Key") + upper : std::string(),
           std::isalnum(static_cast<unsigned char>(c)) ? upper : 0, key};
  } else {
    std::string known;
    for (const auto& [name, _] : NamedKeys()) known += (known.empty() ? "" : ", ") + name;
    return MakeError(ErrorKind::kBadInput, "unknown key " + JsQuote(key) + ": use one character or one of " + known);
  }
  Json down = {{"type", def.text.empty() ? "rawKeyDown" : "keyDown"},
               {"key", key == "Space" ? " " : key},
               {"code", def.code},
               {"windowsVirtualKeyCode", def.key_code}};
  if (!def.text.empty()) down["text"] = def.text;
  Json up = {{"type", "keyUp"}, {"key", down["key"]}, {"code", def.code}, {"windowsVirtualKeyCode", def.key_code}};
  for (const Json& event : {down, up}) {
    auto r = Call("Input.dispatchKeyEvent", event, deadline);
    if (!r.ok()) return r.error();
  }
  return Status::Ok();
}

}  // namespace boletos::cdp
