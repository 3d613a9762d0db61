// What to do with an HTML page that a download step ended on: a viewer
// whose PDF is in an <iframe>, <embed> or <object> gives that PDF (saved as
// the portal sends it, never a print of the viewer); any other page is
// printed, once its text shows what the caller needs to see (the client's
// document: a slip still filling in must not be printed half-done).

#include "cdp/html_result.h"

#include <fstream>

#include "cdp/base64.h"
#include "cdp/evaluate_reply.h"
#include "cdp/js_quote.h"
#include "cdp/json_fields.h"

namespace boletos::cdp {
namespace {

// () -> the URL of the PDF an embedded viewer shows, or null.
constexpr const char* kEmbeddedPdf = R"JS(
(() => {
  const isPdf = (url, type) => /application\/pdf/i.test(type || '') || /\.pdf($|[?#])/i.test(url || '');
  for (const el of document.querySelectorAll('iframe, frame, embed, object')) {
    const url = el.tagName === 'OBJECT' ? el.data : el.src;
    if (!url || url === 'about:blank') continue;
    let inner = '';
    try { inner = el.contentDocument ? el.contentDocument.contentType : ''; } catch (e) { inner = ''; }
    if (isPdf(url, el.type) || inner === 'application/pdf') return new URL(url, location.href).href;
  }
  return null;
})())JS";

// (url, max_bytes) -> {data: base64} | {status} | {tooBig} | {error}: the
// PDF fetched with the page's cookies, in the page.
constexpr const char* kFetchAsBase64 = R"JS(
async (url, max) => {
  try {
    const r = await fetch(url, {credentials: 'include'});
    if (!r.ok) return {status: r.status};
    const bytes = new Uint8Array(await r.arrayBuffer());
    if (bytes.length > max) return {tooBig: bytes.length};
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return {data: btoa(s)};
  } catch (e) { return {error: String(e)}; }
})JS";

// (needles, digits_too, ms) -> true once the page's text shows every needle
// (or, with digits_too, its digits among the text's digits); false at ms.
constexpr const char* kWaitForNeedles = R"JS(
(needles, digitsToo, ms) => new Promise((resolve) => {
  const digits = (s) => s.replace(/\D/g, '');
  const shows = () => {
    const text = document.body ? document.body.innerText : '';
    return needles.every(n => text.includes(n) || (digitsToo && digits(n) !== '' && digits(text).includes(digits(n))));
  };
  if (shows()) return resolve(true);
  const end = Date.now() + ms;
  const tick = setInterval(() => {
    if (shows()) { clearInterval(tick); resolve(true); }
    else if (Date.now() >= end) { clearInterval(tick); resolve(false); }
  }, 100);
}))JS";

Result<Json> EvaluateIn(CdpConnection& conn, const std::string& session, const std::string& expression,
                        Deadline deadline) {
  auto reply = conn.Call("Runtime.evaluate",
                         {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}}, session,
                         deadline);
  if (!reply.ok()) return reply.error();
  if (reply->contains("exceptionDetails")) {
    return MakeError(ErrorKind::kPortalError, "a script failed in the page " +
                                                  StringField(ObjectField(*reply, "exceptionDetails"), "text"));
  }
  return EvaluatedValue(*reply);
}

}  // namespace

Result<std::optional<DownloadResult>> SaveEmbeddedPdf(CdpConnection& conn, const std::string& session,
                                                      const std::string& dest_path, int64_t max_bytes,
                                                      Deadline deadline) {
  auto found = EvaluateIn(conn, session, kEmbeddedPdf, deadline);
  if (!found.ok()) return found.error();
  if (!found->is_string()) return std::optional<DownloadResult>();
  std::string url = found->get<std::string>();
  auto fetched = EvaluateIn(conn, session,
                            std::string("(") + kFetchAsBase64 + ")(" + JsQuote(url) + ", " + std::to_string(max_bytes) + ")",
                            deadline);
  if (!fetched.ok()) return fetched.error();
  std::string what = "the PDF the viewer page shows (" + url + ")";
  if (!fetched->is_object()) return MakeError(ErrorKind::kPortalError, what + " could not be fetched");
  if (fetched->contains("status")) {
    return MakeError(ErrorKind::kPortalError, what + " answered HTTP " + std::to_string(IntField(*fetched, "status")));
  }
  if (fetched->contains("tooBig")) {
    return MakeError(ErrorKind::kInvalidPdf, what + " is " + std::to_string(IntField(*fetched, "tooBig")) +
                                                 " bytes, over max_pdf_mb");
  }
  std::string bytes;
  if (!fetched->contains("data") || !DecodeBase64(StringField(*fetched, "data"), bytes)) {
    return MakeError(ErrorKind::kPortalError, what + " could not be fetched: " + StringField(*fetched, "error", "no data"));
  }
  std::ofstream out(dest_path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return MakeError(ErrorKind::kIo, "cannot write " + dest_path + " (disk full?)");
  return std::optional<DownloadResult>(
      DownloadResult{DownloadResult::Kind::kFile, url, "", static_cast<int64_t>(bytes.size())});
}

Result<bool> WaitUntilPageShows(CdpConnection& conn, const std::string& session,
                                const std::vector<std::string>& needles, bool digits_too, Deadline deadline) {
  if (needles.empty()) return true;
  Json list = Json::array();
  for (const auto& n : needles) list.push_back(n);
  auto left = std::max<int64_t>(0, deadline.remaining().count() - 500);
  auto shows = EvaluateIn(conn, session,
                          std::string("(") + kWaitForNeedles + ")(" + list.dump(-1, ' ', false, Json::error_handler_t::replace) +
                              ", " + (digits_too ? "true" : "false") + ", " + std::to_string(left) + ")",
                          deadline);
  if (!shows.ok()) return shows.error();
  return *shows == Json(true);
}

}  // namespace boletos::cdp
