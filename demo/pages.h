#pragma once
// The demo portal's HTML pages.

#include <string>

#include "slip_maker.h"

namespace boletos::demo::pages {

std::string Login(const std::string& error);
// The login page as some portals show it after a few logins: a reCAPTCHA
// widget (its script is never fetched: the page is offline-safe) and no form.
std::string CaptchaLogin();
std::string SearchForm(const std::string& period);
// link_html is inserted by script after delay_ms.
std::string SearchResult(const std::string& name, const std::string& link_html, int delay_ms);
std::string NotFound(const std::string& query);
std::string HtmlSlip(const std::string& name, const std::string& document, const std::string& period,
                     const SlipFacts& facts);
std::string ErrorPage();
std::string Escape(const std::string& s);

}  // namespace boletos::demo::pages
