#include "consorcio_pages.h"

namespace boletos::test_portal::pages {
namespace {

std::string Page(const std::string& title, const std::string& body) {
  return "<!doctype html><html lang=\"pt-BR\"><head><meta charset=\"utf-8\"><title>" + title +
         "</title><style>body{font-family:sans-serif;margin:1.5em}</style></head><body>" + body + "</body></html>";
}

// Formats every keydown into `shape` (0 = a digit), as jQuery-style masks do.
std::string KeydownMask(const std::string& id, const std::string& shape) {
  return "<script>(() => { const el = document.getElementById('" + id + "'); const shape = '" + shape +
         "'; let digits = '';"
         " const show = () => { let out = '', i = 0; for (const c of shape) { if (i >= digits.length) break;"
         "   if (c === '0') out += digits[i++]; else out += c; } el.value = out; };"
         " el.addEventListener('focus', () => { digits = el.value.replace(/\\D/g, ''); });"
         " el.addEventListener('keydown', (e) => {"
         "   if (el.selectionStart === 0 && el.selectionEnd === el.value.length && /^\\d$/.test(e.key)) digits = '';"
         "   if (/^\\d$/.test(e.key)) digits = (digits + e.key).slice(0, shape.split('0').length - 1);"
         "   else if (e.key === 'Backspace') digits = digits.slice(0, -1); else if (e.key.length > 1) return;"
         "   e.preventDefault(); show(); }); })();</script>";
}

// A loading overlay that covers the page for a second after it loads.
const char* kOverlay =
    "<div id=\"carregando\" style=\"position:fixed;left:0;top:0;right:0;bottom:0;background:rgba(255,255,255,.8)\">"
    "Carregando...</div><script>setTimeout(() => document.getElementById('carregando').remove(), 1000);</script>";

const char* kPostBack =
    "<script>function __doPostBack(target, arg) { const f = document.forms.aspnetForm;"
    " f.__EVENTTARGET.value = target; f.__EVENTARGUMENT.value = arg; f.submit(); }</script>";

}  // namespace

std::string Top() {
  return Page("Portal do Consorciado",
              "<h1>Portal do Consorciado</h1><iframe id=\"login\" src=\"/login\" "
              "style=\"width:460px;height:320px;border:1px solid #999\"></iframe>"
              "<div id=\"lgpd\" style=\"position:fixed;left:0;top:0;right:0;bottom:0;background:#fff\">"
              "Usamos cookies para melhorar sua experiência. <button id=\"lgpd-aceitar\" "
              "onclick=\"document.getElementById('lgpd').remove()\">Aceitar</button></div>");
}

std::string Login(const std::string& viewstate, const std::string& error) {
  return Page("Entrar", (error.empty() ? "" : "<p class=\"erro\">" + error + "</p>") +
                            "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"__VIEWSTATE\" "
                            "value=\"" + viewstate + "\"><label>CNPJ/CPF <input id=\"documento\" name=\"documento\">"
                            "</label><br><label>Senha <input id=\"senha\" name=\"senha\" type=\"password\"></label><br>"
                            "<button id=\"btnEntrar\" type=\"submit\">Entrar</button></form>" +
                            KeydownMask("documento", "00.000.000/0000-00") + kOverlay);
}

std::string CaptchaLogin() {
  return Page("Entrar", "<p>Confirme que você não é um robô.</p><div class=\"g-recaptcha\" data-sitekey=\"x\"></div>");
}

std::string LoginDone() { return Page("Entrando", "<script>top.location.href = '/consulta';</script>"); }

std::string Consulta(const std::string& viewstate, const std::string& grid, const std::string& after_form, bool alert) {
  return Page("Consulta de boletos",
              "<header><b>Consórcio Demo</b> <a id=\"sair\" href=\"/sair\">Sair</a></header>"
              "<form name=\"aspnetForm\" id=\"aspnetForm\" method=\"post\" action=\"/consulta\">"
              "<input type=\"hidden\" name=\"__EVENTTARGET\"><input type=\"hidden\" name=\"__EVENTARGUMENT\">"
              "<input type=\"hidden\" name=\"__VIEWSTATE\" value=\"" + viewstate + "\">"
              "<label>CPF/CNPJ do consorciado <input id=\"cpf\" name=\"cpf\"></label> "
              "<a id=\"buscar\" href=\"javascript:__doPostBack('buscar','')\">Buscar</a>" + grid + "</form>" +
              after_form + kPostBack + (alert ? "<script>alert('Atenção: existem parcelas a vencer');</script>" : ""));
}

std::string Grid(const std::string& period, const std::string& link_html) {
  std::string rows = "<table id=\"parcelas\"><tr><th>Mês</th><th>Situação</th></tr>";
  for (const char* paid : {"09/2026", "10/2026", "11/2026"}) {
    rows += std::string("<tr><td>") + paid + "</td><td>Pago</td></tr>";
  }
  std::string month = period.substr(5, 2) + "/" + period.substr(0, 4);
  rows += "<tr class=\"periodo\"><td>" + month + "</td>" +
          (link_html.empty() ? "<td class=\"sem-boleto\">Nenhum boleto em aberto</td>" : "<td>" + link_html + "</td>") +
          "</tr><tr><td>01/2027</td><td>Indisponível</td></tr></table>";
  return rows;
}

std::string Link(const std::string& kind) {
  if (kind == "postback") return "<a class=\"boleto\" href=\"javascript:__doPostBack('gerar','')\">2ª via</a>";
  if (kind == "popup") return "<a class=\"boleto\" href=\"#\" onclick=\"return abrir()\">2ª via</a>";
  if (kind == "viewer") return "<a class=\"boleto\" href=\"/visualizar\">2ª via</a>";
  if (kind == "blob") {
    return "<a class=\"boleto\" href=\"#\" onclick=\"baixar(); return false;\">2ª via</a><script>async function baixar() {"
           " const r = await fetch('/api/boleto', {method: 'POST'}); const b = await r.blob();"
           " const u = URL.createObjectURL(b); const a = document.createElement('a'); a.href = u;"
           " a.download = 'boleto.pdf'; document.body.appendChild(a); a.click(); URL.revokeObjectURL(u); }</script>";
  }
  if (kind == "async") return "<a class=\"boleto\" href=\"/solicitar\">2ª via</a>";
  if (kind == "html") return "<a class=\"boleto\" href=\"/boleto.html\">2ª via</a>";
  return "<a class=\"boleto\" href=\"/boleto-protegido.pdf\">2ª via</a>";
}

std::string LinkSupport(const std::string& kind, const std::string& viewstate) {
  if (kind != "popup") return "";
  return "<form name=\"gerar\" method=\"post\" action=\"/gerar\" target=\"boleto\"><input type=\"hidden\" "
         "name=\"__VIEWSTATE\" value=\"" + viewstate + "\"></form><script>function abrir() {"
         " const w = window.open('about:blank', 'boleto', 'width=600,height=700'); document.forms.gerar.submit();"
         " setTimeout(() => w.close(), 6000); return false; }</script>";
}

std::string Aguarde(const std::string& token) {
  return Page("Aguarde", "<p>Aguarde, gerando o boleto…</p><script>setTimeout(() => "
                         "location.replace('/gerar/pdf?t=" + token + "'), 1200);</script>");
}

std::string Viewer() {
  return Page("Boleto", "<h2>Segunda via do boleto</h2><iframe src=\"/visualizar/boleto.pdf\" "
                        "style=\"width:90%;height:600px\"></iframe>");
}

std::string Solicitado() {
  return Page("Solicitação registrada",
              "<p id=\"estado\">Solicitação registrada. Aguarde, estamos gerando o seu boleto…</p><script>"
              "const poll = setInterval(async () => { const r = await fetch('/solicitar/status');"
              " if ((await r.text()) === 'pronto') { clearInterval(poll); location.href = '/solicitar/boleto.pdf'; } },"
              " 500);</script>");
}

std::string HtmlSlip(const std::string& name_utf8, const std::string& document, const std::string& linha_printed,
                     const std::string& due_printed, const std::string& amount_printed) {
  std::string html =
      "<!doctype html><html><head><meta charset=\"ISO-8859-1\"><title>Boleto</title><style>"
      ".barras{height:50px;width:400px;background:repeating-linear-gradient(90deg,#000 0 2px,#fff 2px 5px)}</style>"
      "</head><body><h1>BOLETO BANCÁRIO - CONSÓRCIO</h1><p>Pagador: " + name_utf8 + "</p><p>CPF/CNPJ: " + document +
      "</p><p>Vencimento: " + due_printed + "</p><p>Valor do Documento: R$ " + amount_printed +
      "</p><p>Linha digitável: " + linha_printed + "</p><div class=\"barras\"></div>"
      "<script>const original = document.body.innerHTML; setInterval(() => {"
      " if (document.body.innerHTML !== original) document.body.innerHTML = original; }, 150);</script></body></html>";
  // UTF-8 to ISO-8859-1: the portal's own encoding.
  std::string latin1;
  for (size_t i = 0; i < html.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(html[i]);
    if (c == 0xc3 && i + 1 < html.size()) {
      latin1 += static_cast<char>(0xc0 | (static_cast<unsigned char>(html[++i]) & 0x3f));
    } else if (c == 0xc2 && i + 1 < html.size()) {
      latin1 += html[++i];
    } else {
      latin1 += static_cast<char>(c);
    }
  }
  return latin1;
}

}  // namespace boletos::test_portal::pages
