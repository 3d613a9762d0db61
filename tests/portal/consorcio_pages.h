#pragma once
// The ConsorcioPortal's HTML (see consorcio_portal.h for what each trap is).

#include <string>

namespace boletos::test_portal::pages {

std::string Top();
std::string Login(const std::string& viewstate, const std::string& error);
std::string CaptchaLogin();
std::string LoginDone();
// The search page; grid: the instalments table after a search, or "".
// after_form: what a link needs outside the page's form (LinkSupport).
std::string Consulta(const std::string& viewstate, const std::string& grid, const std::string& after_form, bool alert);
// The grid of instalments; link_html: the period row's link, or "" for
// "Nenhum boleto em aberto".
std::string Grid(const std::string& period, const std::string& link_html);
// The period row's link for a way of delivery, and what it needs beside it.
std::string Link(const std::string& kind);
std::string LinkSupport(const std::string& kind, const std::string& viewstate);
std::string Aguarde(const std::string& token);
std::string Viewer();
std::string Solicitado();
// The HTML slip, in ISO-8859-1 bytes.
std::string HtmlSlip(const std::string& name_utf8, const std::string& document, const std::string& linha_printed,
                     const std::string& due_printed, const std::string& amount_printed);

}  // namespace boletos::test_portal::pages
