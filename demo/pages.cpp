#include "pages.h"

#include <nlohmann/json.hpp>

#include "core/html_escape.h"

namespace boletos::demo::pages {
namespace {

std::string Page(const std::string& title, const std::string& body, bool logged_in) {
  std::string header = logged_in ? "<header><b>Portal Demo</b> <a id=\"logout\" href=\"/logout\">Sair</a></header>"
                                 : "<header><b>Portal Demo</b></header>";
  return "<!doctype html><html lang=\"pt-BR\"><head><meta charset=\"utf-8\"><title>" + title +
         "</title><style>body{font-family:sans-serif;margin:2em} header{margin-bottom:1em}</style></head><body>" +
         header + body + "</body></html>";
}

}  // namespace

std::string Escape(const std::string& s) { return HtmlEscape(s); }

std::string Login(const std::string& error) {
  return Page("Entrar",
              (error.empty() ? "" : "<p class=\"error\">" + Escape(error) + "</p>") +
                  "<form method=\"post\" action=\"/login\"><label>Usuário <input id=\"user\" name=\"user\"></label> "
                  "<label>Senha <input id=\"password\" name=\"password\" type=\"password\"></label> "
                  "<button type=\"submit\">Entrar</button></form>",
              false);
}

std::string CaptchaLogin() {
  return Page("Entrar",
              "<p>Confirme que você não é um robô.</p><div class=\"g-recaptcha\" "
              "data-sitekey=\"6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI\"></div>",
              false);
}

std::string SearchForm(const std::string& period) {
  return Page("Buscar boleto",
              "<form method=\"get\" action=\"/search\"><input type=\"hidden\" name=\"period\" value=\"" +
                  Escape(period) +
                  "\"><label>CPF/CNPJ <input id=\"cpf\" name=\"cpf\"></label> <button id=\"go\" "
                  "type=\"submit\">Buscar</button></form>",
              true);
}

std::string SearchResult(const std::string& name, const std::string& link_html, int delay_ms) {
  return Page("Boleto", "<h1>" + Escape(name) + "</h1><div id=\"result\">Carregando...</div><script>setTimeout(() => {" +
                            "document.getElementById('result').innerHTML = " + nlohmann::json(link_html).dump() +
                            ";}, " + std::to_string(delay_ms) + ");</script>",
              true);
}

std::string NotFound(const std::string& query) {
  return Page("Boleto", "<p id=\"none\">Nenhum cliente encontrado para " + Escape(query) + "</p>", true);
}

std::string HtmlSlip(const std::string& name, const std::string& document, const std::string& period,
                     const SlipFacts& f) {
  return Page("Boleto " + Escape(name),
              "<h1>BOLETO DE COBRANCA</h1><p>Pagador: " + Escape(name) + "</p><p>CPF/CNPJ: " + Escape(document) +
                  "</p><p>Referencia: " + Escape(period) + "</p><p>Banco: " + f.bank + "</p><p>Vencimento: " +
                  f.due_printed + "</p><p>Valor do Documento: R$ " + f.amount_printed +
                  "</p><p>Linha digitavel: " + f.linha_printed + "</p>",
              true);
}

std::string ErrorPage() {
  return "<!doctype html><html><body><h1>Erro interno</h1><p>Tente novamente mais tarde.</p></body></html>";
}

}  // namespace boletos::demo::pages
