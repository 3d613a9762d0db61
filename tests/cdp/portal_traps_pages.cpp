// TestSite's pages of the traps real portals set for a click or a fill: an
// overlay that swallows clicks for a moment, a cookie banner that never
// goes, masked fields (CPF formatted on keydown, as jQuery-style masks do;
// a date mask), fields the page changes beyond formatting, and a login form
// inside a frame (same origin, another site, nested, late, reloading).

#include <atomic>
#include <memory>
#include <string>

#include "test_site.h"

namespace boletos::test_support {
namespace {

// #go sets the title; clicks that land on the overlay or banner are counted.
const char* kCoveredPage = R"HTML(<!doctype html><html><head><title>covered</title></head><body>
<button id="go" onclick="document.title = 'clicked'">Entrar</button>
<div id="overlay" onclick="window.overlayClicks = (window.overlayClicks || 0) + 1"
     style="position:fixed;left:0;top:0;width:100%;height:100%;background:rgba(0,0,0,.3)">carregando</div>
<div id="lgpd" class="cookie-banner" style="display:none;position:fixed;left:0;top:0;width:100%;height:100%;background:#fff">
  Usamos cookies <button id="accept" onclick="document.getElementById('lgpd').remove()">Aceitar</button></div>
<script>
  const params = new URLSearchParams(location.search);
  const overlay = document.getElementById('overlay');
  if (params.get('overlay_ms') === null) overlay.remove();
  else setTimeout(() => overlay.remove(), Number(params.get('overlay_ms')));
  if (params.get('banner') !== null) document.getElementById('lgpd').style.display = 'block';
</script></body></html>)HTML";

// #cpf takes digits on keydown only and shows them as 000.000.000-00 (a
// page that types with insertText never gets a keydown: it stays raw);
// #date formats DD/MM/YYYY on input; #short keeps 5 characters; #pin is a
// password field that drops its last character.
const char* kMaskedPage = R"HTML(<!doctype html><html><head><meta charset="utf-8"></head><body>
<input id="cpf"><input id="date"><input id="short"><input id="pin" type="password">
<script>
  const cpf = document.getElementById('cpf');
  let digits = '';
  const shape = (d) => d.replace(/^(\d{3})(\d)/, '$1.$2').replace(/^(\d{3})\.(\d{3})(\d)/, '$1.$2.$3')
                        .replace(/\.(\d{3})(\d)/, '.$1-$2');
  cpf.addEventListener('focus', () => { digits = cpf.value.replace(/\D/g, ''); });
  cpf.addEventListener('keydown', (e) => {
    if (/^\d$/.test(e.key)) { if (cpf.selectionStart === 0 && cpf.selectionEnd === cpf.value.length) digits = '';
                              digits = (digits + e.key).slice(0, 11); }
    else if (e.key === 'Backspace') digits = digits.slice(0, -1);
    else if (e.key.length > 1) return;
    e.preventDefault();
    cpf.value = shape(digits);
  });
  const date = document.getElementById('date');
  date.addEventListener('input', () => {
    const d = date.value.replace(/\D/g, '').slice(0, 8);
    date.value = d.replace(/^(\d{2})(\d)/, '$1/$2').replace(/^(\d{2})\/(\d{2})(\d)/, '$1/$2/$3');
  });
  const short = document.getElementById('short');
  short.addEventListener('input', () => { short.value = short.value.slice(0, 5); });
  const pin = document.getElementById('pin');
  pin.addEventListener('change', () => {});
  pin.addEventListener('keyup', () => { if (pin.value.length > 3) pin.value = pin.value.slice(0, -1); });
</script></body></html>)HTML";

// A login form inside a frame: #user, #go, and #out saying hello. ?navigate_ms=N:
// #later reloads the frame with ?posted after N ms (a postback mid-wait).
const char* kFramedLogin = R"HTML(<!doctype html><html><head><meta charset="utf-8"></head><body>
<form onsubmit="event.preventDefault(); document.getElementById('out').textContent = 'Bem-vindo ' + document.getElementById('user').value;">
<input id="user"><button id="go" type="submit">Entrar</button></form><div id="out"></div>
<button id="later" onclick="setTimeout(() => { location.search = '?posted=1'; }, 300)">depois</button>
<script>if (location.search.includes('posted')) document.getElementById('out').textContent = 'postback feito';</script>
</body></html>)HTML";

// The top page: its frame's src comes from ?src= (same origin, another
// site, or a page with a frame of its own); ?late_ms=N inserts it after N
// ms; ?cover= lays a banner over it all (see below).
const char* kFramesTop = R"HTML(<!doctype html><html><head><meta charset="utf-8"><title>top</title></head><body>
<p>Portal</p><div style="height:120px"></div>
<script>
  const params = new URLSearchParams(location.search);
  const add = () => { const f = document.createElement('iframe'); f.id = params.get('id') || 'login';
                      f.src = params.get('src'); f.style = 'width:400px;height:260px;border:7px solid #888;padding:5px';
                      document.body.appendChild(f); };
  if (params.get('late_ms') !== null) setTimeout(add, Number(params.get('late_ms'))); else add();
  // ?cover=N: a banner over the whole page (frame included) for N ms; ?cover=stay: for good.
  if (params.get('cover') !== null) {
    const c = document.createElement('div'); c.id = 'lgpd';
    c.style = 'position:fixed;left:0;top:0;right:0;bottom:0;background:rgba(255,255,255,.9)';
    c.onclick = () => { window.coverClicks = (window.coverClicks || 0) + 1; };
    document.body.appendChild(c);
    if (params.get('cover') !== 'stay') setTimeout(() => c.remove(), Number(params.get('cover')));
  }
</script></body></html>)HTML";

}  // namespace

void AddPortalTrapPages(httplib::Server& server) {
  // /busy-login?times=N: the first N requests get 503 with Retry-After: 1
  // (a portal shedding load at login), then the login form;
  // /busy-login/hits says how many came.
  auto hits = std::make_shared<std::atomic<int>>(0);
  server.Get("/busy-login", [hits](const httplib::Request& req, httplib::Response& res) {
    int times = req.has_param("times") ? std::stoi(req.get_param_value("times")) : 0;
    if (++*hits <= times) {
      res.status = 503;
      res.set_header("Retry-After", "1");
      return res.set_content("<!doctype html><p>Servidor ocupado, tente mais tarde</p>", "text/html");
    }
    res.set_content("<!doctype html><form><input id=\"user\"></form>", "text/html");
  });
  server.Get("/busy-login/hits", [hits](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::to_string(hits->load()), "text/plain");
  });
  // /blocky: a page with an image and a link to an HTML slip with the same
  // image; /pixel.png counts its requests (/pixel.png/hits).
  auto pixels = std::make_shared<std::atomic<int>>(0);
  server.Get("/pixel.png", [pixels](const httplib::Request&, httplib::Response& res) {
    ++*pixels;
    static const unsigned char kPng[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
        0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x60, 0x60, 0xf8, 0x0f, 0x00, 0x01, 0x04, 0x01, 0x00,
        0x5f, 0xe5, 0xc3, 0x4b, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    res.set_content(std::string(reinterpret_cast<const char*>(kPng), sizeof kPng), "image/png");
  });
  server.Get("/pixel.png/hits", [pixels](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::to_string(pixels->load()), "text/plain");
  });
  // Viewer pages that show /file.pdf in an iframe, an embed or an object,
  // and a slip whose script fills in the payer 600 ms after it loads.
  server.Get("/viewers", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<!doctype html><a id=\"iframe\" href=\"/viewer?tag=iframe\">iframe</a>"
                    "<a id=\"embed\" href=\"/viewer?tag=embed\">embed</a>"
                    "<a id=\"object\" href=\"/viewer?tag=object\">object</a>"
                    "<a id=\"filling\" href=\"/filling-slip.html\" target=\"_blank\">filling</a>", "text/html");
  });
  server.Get("/viewer", [](const httplib::Request& req, httplib::Response& res) {
    std::string tag = req.get_param_value("tag");
    std::string viewer = tag == "object" ? "<object data=\"/file.pdf\" type=\"application/pdf\"></object>"
                         : tag == "embed" ? "<embed src=\"/file.pdf\" type=\"application/pdf\">"
                                          : "<iframe src=\"/file.pdf\"></iframe>";
    res.set_content("<!doctype html><h1>Segunda via</h1>" + viewer, "text/html");
  });
  server.Get("/filling-slip.html", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<!doctype html><h1>BOLETO</h1><p id=\"payer\">carregando...</p><script>setTimeout(() => {"
                    "document.getElementById('payer').textContent = 'Pagador: Ana Souza 158.813.998-03'; }, 600);"
                    "</script>", "text/html");
  });
  server.Get("/blocky", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<!doctype html><img id=\"logo\" src=\"/pixel.png?page\"><a id=\"slip\" href=\"/blocky-slip.html\">"
                    "boleto</a>", "text/html");
  });
  server.Get("/blocky-slip.html", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<!doctype html><h1>BOLETO</h1><img id=\"barcode\" src=\"/pixel.png?slip\"><p>Ana 158.813.998-03</p>",
                    "text/html");
  });
  server.Get("/frames/login", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kFramedLogin, "text/html; charset=utf-8");
  });
  server.Get("/frames/top", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kFramesTop, "text/html; charset=utf-8");
  });
  server.Get("/covered", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kCoveredPage, "text/html");
  });
  server.Get("/masked", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kMaskedPage, "text/html; charset=utf-8");
  });
}

}  // namespace boletos::test_support
