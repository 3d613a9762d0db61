#pragma once
// ConsorcioPortal: a test portal shaped like the ASP.NET WebForms systems
// of consórcio administradoras (SPEC "Flow file", issue 20), on 127.0.0.1.
// What it does to a worker, each on purpose:
//   - the login form is inside an <iframe>, under a cookie banner that
//     covers the page, with a CNPJ field whose mask formats every keydown,
//     a __VIEWSTATE that must come back from the page, and a loading
//     overlay that swallows clicks for a second after every load;
//   - a login may be answered 503 with Retry-After, or with a reCAPTCHA;
//   - the search is a __doPostBack form POST; its answer is a grid of
//     instalments, one row per month, the period's row with the link, or
//     "Nenhum boleto em aberto"; an alert() now and then;
//   - the server keeps "the current client" in the session: the link
//     serves the session's client (two tabs sharing a login mix them up);
//   - each client's slip comes one way (Delivery): a postback answered as
//     an attachment with filename*=UTF-8''; a form POST into a named popup
//     that starts at about:blank, shows "Aguarde", loads the PDF inline and
//     is closed by its opener; a viewer page with the PDF in an <iframe>;
//     fetch() + blob + a.download with the URL revoked at once; a
//     "solicitação registrada" page that polls, then a PDF sent chunked
//     without a length; an ISO-8859-1 HTML slip with its barcode as a CSS
//     background and a script that restores the DOM every 150 ms; a
//     password-protected PDF (the CPF's digits; made with qpdf);
//   - a session that timed out answers the slip link with the login page
//     labelled application/pdf.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"

namespace boletos::test_portal {

enum class Delivery { kPostbackAttachment, kNamedPopup, kViewer, kBlob, kAsync, kHtml, kPassword, kNoSlip };
const char* DeliveryName(Delivery d);

struct PortalClient {
  std::string id, name, document;
  Delivery delivery;
};

struct ConsorcioOptions {
  std::string user = "12345678000195";  // a CNPJ's digits; the form shows 12.345.678/0001-95
  std::string password = "Consorcio#2026";
  int busy_logins = 0;         // the first N login posts get 503 + Retry-After: 1
  bool captcha = false;        // the login frame is a reCAPTCHA, no form
  int session_requests = 0;    // > 0: a session times out after N requests
  // A client id: the first time its slip is asked for (a postback), its
  // session has timed out and the login page comes labelled application/pdf.
  std::string session_ends_at_slip_of;
  std::string period = "2026-12";
  std::string work_dir;        // where the protected PDFs are made (qpdf)
};

class ConsorcioPortal {
 public:
  static Result<std::unique_ptr<ConsorcioPortal>> Start(const ConsorcioOptions& options);
  ~ConsorcioPortal();
  ConsorcioPortal(const ConsorcioPortal&) = delete;
  ConsorcioPortal& operator=(const ConsorcioPortal&) = delete;

  std::string url(const std::string& path = "") const;
  static const std::vector<PortalClient>& Clients();
  // Clients() as a CSV for `boletos import` (id,name,document).
  static std::string ClientsCsv();
  // The PDF the portal sends for a client (protected ones: before encryption).
  std::string SlipPdf(const PortalClient& client) const;
  // How many slips the portal served for each client id, and how many
  // logins it accepted.
  std::map<std::string, int> served() const;
  int logins() const;

  struct Impl;

 private:
  explicit ConsorcioPortal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace boletos::test_portal
