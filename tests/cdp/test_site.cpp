#include "test_site.h"

#include <chrono>
#include <cstdio>
#include <vector>

namespace boletos::test_support {

std::string MakePdf(const std::string& text) {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
      "/Resources << /Font << /F1 5 0 R >> >> >>",
      "",  // content stream, below
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  };
  std::string content = "BT /F1 14 Tf 72 760 Td (" + text + ") Tj ET";
  objects[3] = "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream";
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

const std::string& TestSite::PdfBytes() {
  static const std::string bytes = MakePdf("Boleto de teste 123.456.789-09");
  return bytes;
}

namespace {

const char* kFormPage = R"HTML(<!doctype html><html><body>
<form id="f" onsubmit="event.preventDefault(); document.getElementById('out').textContent = 'hello ' + document.getElementById('name').value + ' ' + document.getElementById('color').value;">
<input id="name" value="old"><select id="color"><option value="r">Red</option><option value="g">Green</option></select>
<button id="go" type="submit">Go</button></form>
<div id="out"></div>
<div style="width: 20ch; font: 16px monospace"><a id="first" href="#" onclick="document.getElementById('out').textContent = 'first'; return false;">first link is long</a> <a id="wrapped" href="#" onclick="document.getElementById('out').textContent = 'wrapped'; return false;">w rest</a></div><button id="late-btn" onclick="setTimeout(() => { const a = document.createElement('a'); a.id = 'late'; a.textContent = 'late link'; document.body.appendChild(a); }, 300)">make late</button>
<input id="key" onkeydown="if (event.key === 'Enter') document.getElementById('out').textContent = 'enter pressed'">
</body></html>)HTML";

const char* kLinksPage = R"HTML(<!doctype html><html><body>
<a id="attachment" href="/file.pdf?disposition=attachment">attachment</a>
<a id="inline" href="/file.pdf">inline</a>
<a id="newtab" href="/file.pdf" target="_blank">new tab</a>
<a id="popup" href="#" onclick="window.open('/file.pdf?disposition=attachment'); return false;">popup</a>
<a id="blob" href="#" onclick="fetch('/file.pdf').then(r => r.blob()).then(b => { const a = document.createElement('a'); a.href = window.URL.createObjectURL(b); a.download = 'slip.pdf'; document.body.appendChild(a); a.click(); }).catch(e => { document.title = 'ERR ' + e; }); return false;">blob</a>
<a id="html" href="/slip.html">html</a>
<a id="htmltab" href="/slip.html" target="_blank">html tab</a>
<a id="slow" href="/slow.pdf">slow</a>
<a id="nothing" href="#">nothing</a>
<a id="busy" href="/busy">busy</a>
<a id="busytab" href="/busy" target="_blank">busy tab</a>
<a id="busypopup" href="#" onclick="window.open('/busy'); return false;">busy popup</a>
<a id="slowhtmltab" href="/slow-slip.html" target="_blank">slow html tab</a>
<a id="slowpdftab" href="/slow-file.pdf" target="_blank">slow pdf tab</a>
<a id="blankhtmlpopup" href="#" onclick="const w = window.open('about:blank'); setTimeout(() => { w.location = '/slip.html'; }, 400); return false;">html popup via about:blank</a>
<a id="alerthtmltab" href="/alert-slip.html" target="_blank">html tab that alerts</a>
<a id="blankpopup" href="#" onclick="window.open('about:blank'); return false;">a popup that stays blank</a>
<a id="chainpopup" href="#" onclick="const w = window.open('about:blank'); w.open('/slow-file.pdf'); return false;">a popup that opens the slip in another</a>
</body></html>)HTML";

// Each button opens a dialog; what the page got back lands in #out.
const char* kDialogsPage = R"HTML(<!doctype html><html><head><meta charset="utf-8"></head><body>
<button id="alert" onclick="alert('Sessão expirada'); document.getElementById('out').textContent = 'after alert';">alert</button>
<button id="confirm" onclick="document.getElementById('out').textContent = 'confirm=' + confirm('Continuar?');">confirm</button>
<button id="prompt" onclick="document.getElementById('out').textContent = 'prompt=' + prompt('Nome?');">prompt</button>
<div id="out"></div>
<script>window.addEventListener('beforeunload', (e) => { e.preventDefault(); e.returnValue = 'Sair?'; });</script>
</body></html>)HTML";

const char* kSlipHtml =
    "<!doctype html><html><body><h1>BOLETO HTML</h1><p>Ana Souza 123.456.789-09</p></body></html>";

}  // namespace

TestSite::TestSite() {
  AddPortalTrapPages(server_);
  server_.Get("/form", [](const httplib::Request&, httplib::Response& res) { res.set_content(kFormPage, "text/html"); });
  server_.Get("/links", [](const httplib::Request&, httplib::Response& res) { res.set_content(kLinksPage, "text/html"); });
  server_.Get("/file.pdf", [](const httplib::Request& req, httplib::Response& res) {
    if (req.get_param_value("disposition") == "attachment") {
      res.set_header("Content-Disposition", "attachment; filename=\"boleto.pdf\"");
    }
    res.set_content(PdfBytes(), "application/pdf");
  });
  // What the portal got: how many query parameters, and `name`.
  server_.Get("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("<!doctype html><html><head><meta charset=\"utf-8\"></head><body><p id=\"params\">" +
                        std::to_string(req.params.size()) + "</p><p id=\"name\"></p><script>document.getElementById("
                        "'name').textContent = new URLSearchParams(location.search).get('name');</script></body></html>",
                    "text/html");
  });
  server_.Get("/dialogs", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kDialogsPage, "text/html");
  });
  server_.Get("/alert-on-load", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<!doctype html><html><body><script>alert('Bem-vindo')</script><p id='after'>ok</p></body></html>",
                    "text/html");
  });
  server_.Get("/slip.html", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(kSlipHtml, "text/html");
  });
  server_.Get("/alert-slip.html", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string("<script>alert('Confira os dados')</script>") + kSlipHtml, "text/html");
  });
  // The document commits at once and finishes loading 1.5 s later: its load
  // event comes after whoever opened it has had time to listen, or not.
  server_.Get("/slow-slip.html", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/html", [](size_t offset, httplib::DataSink& sink) {
      if (offset == 0) {
        std::string head = "<!doctype html><html><body><h1>BOLETO HTML</h1>";
        sink.write(head.data(), head.size());
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      std::string rest = "<p>Ana Souza 123.456.789-09</p></body></html>";
      sink.write(rest.data(), rest.size());
      sink.done();
      return true;
    });
  });
  server_.Get("/slow-file.pdf", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    res.set_content(PdfBytes(), "application/pdf");
  });
  server_.Get("/busy", [](const httplib::Request&, httplib::Response& res) {
    res.status = 504;  // what a gateway answers when the portal stalls
    res.set_content("stalled", "text/plain");
  });
  server_.Get("/slow.pdf", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Disposition", "attachment; filename=\"slow.pdf\"");
    res.set_chunked_content_provider("application/pdf", [](size_t offset, httplib::DataSink& sink) {
      if (offset == 0) {
        std::string half = PdfBytes().substr(0, PdfBytes().size() / 2);
        sink.write(half.data(), half.size());
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return sink.is_writable();  // hang until the client goes away
    });
  });
  port_ = server_.bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TestSite::~TestSite() {
  server_.stop();
  thread_.join();
}

}  // namespace boletos::test_support
