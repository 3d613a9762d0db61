#include "demo_portal.h"

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/period.h"
#include "pages.h"
#include "store/clients_csv.h"

namespace boletos::demo {
namespace {

using Json = nlohmann::json;

std::string Digits(const std::string& s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9') d += c;
  }
  return d;
}

uint64_t Fnv(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

const char* kBanks[] = {"237", "341", "001", "104", "033"};

}  // namespace

const char* DeliveryName(Delivery d) {
  switch (d) {
    case Delivery::kAttachment: return "attachment";
    case Delivery::kInline: return "inline";
    case Delivery::kNewTab: return "new_tab";
    case Delivery::kHtml: return "html";
    case Delivery::kBlob: return "blob";
  }
  return "attachment";
}

struct DemoPortal::Impl {
  PortalOptions options;
  std::vector<store::Client> clients;
  std::map<std::string, size_t> by_id;
  std::map<std::string, size_t> by_document;
  FaultInjector faults;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::map<std::string, int> sessions;  // token -> requests served
  std::mt19937_64 tokens{42};
  int logins = 0, searches = 0;
  std::map<std::string, int> downloads;
  std::set<std::string> no_slip;  // under mu
  bool captcha_on_login = false;  // under mu

  // HoldFirstDownloads: the ids still to hold, and whether all are let go.
  std::mutex hold_mu;
  std::condition_variable hold_cv;
  std::set<std::string> to_hold;
  bool holds_released = false;

  std::chrono::milliseconds longest_hold{0};

  void WaitIfHeld(const std::string& id) {
    std::unique_lock<std::mutex> lock(hold_mu);
    if (to_hold.erase(id) == 0) return;
    hold_cv.wait_for(lock, longest_hold, [this] { return holds_released; });
  }
  void ReleaseHolds() {
    {
      std::lock_guard<std::mutex> lock(hold_mu);
      holds_released = true;
      to_hold.clear();
    }
    hold_cv.notify_all();
  }

  explicit Impl(const PortalOptions& o) : options(o), faults(o.seed) {}

  Result<SlipFacts> Facts(size_t i, const std::string& period_text) const {
    auto period = ParsePeriod(period_text);
    if (!period.ok()) return period.error();
    const auto& c = clients[i];
    long long cents = 1000 + static_cast<long long>(Fnv(c.id) % 300000);
    std::string free_field;
    for (uint64_t h = Fnv(c.id + "|" + period_text); free_field.size() < 25; h = h * 6364136223846793005ull + 1442695040888963407ull) {
      free_field += std::to_string(h % 10);
    }
    return MakeBankSlip(kBanks[i % 5], cents, period->year, period->month, 10 + static_cast<int>(i % 5), free_field);
  }

  Result<std::string> Pdf(size_t i, const std::string& period) const {
    auto f = Facts(i, period);
    if (!f.ok()) return f.error();
    const auto& c = clients[i];
    return MakeTextPdf({"BOLETO DE COBRANCA - PORTAL DEMO", "Beneficiario: Portal Demo Servicos Ltda",
                        "Banco: " + f->bank, "Pagador: " + c.name, "CPF/CNPJ: " + c.document, "Referencia: " + period,
                        "Vencimento: " + f->due_printed, "Valor do Documento: R$ " + f->amount_printed,
                        "Linha digitavel: " + f->linha_printed});
  }

  Delivery DeliveryOf(size_t i) const { return static_cast<Delivery>(i % 5); }

  // The session of the request, counting it; "" when missing or expired.
  std::string Session(const httplib::Request& req) {
    std::string cookie = req.get_header_value("Cookie");
    auto at = cookie.find("session=");
    if (at == std::string::npos) return "";
    std::string token = cookie.substr(at + 8, cookie.find(';', at) - at - 8);
    std::lock_guard<std::mutex> lock(mu);
    auto it = sessions.find(token);
    if (it == sessions.end()) return "";
    int k = faults.spec().expire_every;
    if (k > 0 && ++it->second > k) {
      sessions.erase(it);
      faults.Count("expired_session");
      return "";
    }
    return token;
  }

  void Stall(httplib::Response& res) {
    int ms = faults.spec().stall_ms;
    for (int waited = 0; waited < ms && !stopping; waited += 50) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    res.status = 504;
    res.set_content("stalled", "text/plain");
  }

  void Routes();
};

void DemoPortal::Impl::Routes() {
  auto to_login = [](httplib::Response& res) { res.set_redirect("/login", 303); };

  server.Get("/login", [this](const httplib::Request&, httplib::Response& res) {
    bool captcha = false;
    {
      std::lock_guard<std::mutex> lock(mu);
      captcha = captcha_on_login;
    }
    res.set_content(captcha ? pages::CaptchaLogin() : pages::Login(""), "text/html; charset=utf-8");
  });
  server.Post("/login", [this](const httplib::Request& req, httplib::Response& res) {
    if (req.get_param_value("user") != options.user || req.get_param_value("password") != options.password) {
      res.set_content(pages::Login("Usuário ou senha inválidos"), "text/html; charset=utf-8");
      return;
    }
    std::lock_guard<std::mutex> lock(mu);
    std::string token = std::to_string(tokens());
    sessions[token] = 0;
    ++logins;
    res.set_header("Set-Cookie", "session=" + token + "; Path=/; HttpOnly");
    res.set_redirect("/search", 303);
  });
  server.Get("/logout", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Set-Cookie", "session=; Path=/; Max-Age=0");
    res.set_redirect("/login", 303);
  });
  server.Get("/search", [this, to_login](const httplib::Request& req, httplib::Response& res) {
    if (Session(req).empty()) return to_login(res);
    std::string period = req.has_param("period") ? req.get_param_value("period") : CurrentPeriod().ToString();
    if (!req.has_param("cpf")) return res.set_content(pages::SearchForm(period), "text/html; charset=utf-8");
    {
      std::lock_guard<std::mutex> lock(mu);
      ++searches;
    }
    Fault f = faults.Draw(/*for_search=*/true);
    for (int waited = 0; waited < faults.spec().delay_ms && !stopping; waited += 50) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (f == Fault::kHttp500) {
      res.status = 500;
      return res.set_content(pages::ErrorPage(), "text/html");
    }
    if (f == Fault::kStall) return Stall(res);
    if (f == Fault::kAlert) {
      return res.set_content("<!doctype html><html><head><meta charset=\"utf-8\"></head><body>"
                             "<script>alert('Sessão expirada')</script><p>Consulta indisponível</p></body></html>",
                             "text/html; charset=utf-8");
    }
    auto it = by_document.find(Digits(req.get_param_value("cpf")));
    if (it == by_document.end()) {
      return res.set_content(pages::NotFound(req.get_param_value("cpf")), "text/html; charset=utf-8");
    }
    const auto& c = clients[it->second];
    bool has_slip = true;
    {
      std::lock_guard<std::mutex> lock(mu);
      has_slip = !no_slip.count(c.id);
    }
    if (!has_slip) {
      return res.set_content(pages::SearchResult(c.name, "<p id=\"sem-boleto\">Nenhum boleto em aberto para " +
                                                             period + "</p>", 150),
                             "text/html; charset=utf-8");
    }
    std::string q = "?period=" + period;
    std::string pdf = "/boleto/" + c.id + ".pdf" + q;
    std::string link;
    switch (DeliveryOf(it->second)) {
      case Delivery::kAttachment: link = "<a class=\"boleto\" href=\"" + pdf + "&disposition=attachment\">Boleto</a>"; break;
      case Delivery::kInline: link = "<a class=\"boleto\" href=\"" + pdf + "\">Boleto</a>"; break;
      case Delivery::kNewTab: link = "<a class=\"boleto\" target=\"_blank\" href=\"" + pdf + "\">Boleto</a>"; break;
      case Delivery::kHtml: link = "<a class=\"boleto\" href=\"/boleto/" + c.id + ".html" + q + "\">Boleto</a>"; break;
      case Delivery::kBlob:
        link = "<a class=\"boleto\" href=\"#\" onclick=\"fetch('" + pdf +
               "').then(r => r.blob()).then(b => { const a = document.createElement('a'); a.href = "
               "window.URL.createObjectURL(b); a.download = 'boleto.pdf'; document.body.appendChild(a); a.click(); }); "
               "return false;\">Boleto</a>";
        break;
    }
    res.set_content(pages::SearchResult(c.name, link, 150), "text/html; charset=utf-8");
  });
  server.Get(R"(/boleto/(.+)\.(pdf|html))", [this, to_login](const httplib::Request& req, httplib::Response& res) {
    if (Session(req).empty()) return to_login(res);
    auto it = by_id.find(req.matches[1]);
    if (it == by_id.end()) {
      res.status = 404;
      return res.set_content("no such boleto", "text/plain");
    }
    std::string period = req.get_param_value("period");
    size_t index = it->second;
    WaitIfHeld(clients[index].id);
    Fault f = faults.Draw(/*for_search=*/false);
    if (f == Fault::kHttp500) {
      res.status = 500;
      return res.set_content(pages::ErrorPage(), "text/html");
    }
    if (f == Fault::kStall) return Stall(res);
    if (f == Fault::kHtmlError) return res.set_content(pages::ErrorPage(), "text/html");
    if (f == Fault::kWrongClient) index = (index + 1) % clients.size();
    {
      std::lock_guard<std::mutex> lock(mu);
      ++downloads[clients[it->second].id];
    }
    if (req.matches[2] == "html") {
      auto facts = Facts(index, period);
      if (!facts.ok()) return res.set_content(facts.message(), "text/plain");
      const auto& c = clients[index];
      return res.set_content(pages::HtmlSlip(c.name, c.document, period, *facts), "text/html; charset=utf-8");
    }
    auto pdf = Pdf(index, period);
    if (!pdf.ok()) {
      res.status = 400;
      return res.set_content(pdf.message(), "text/plain");
    }
    std::string body = f == Fault::kTruncate ? pdf->substr(0, pdf->size() / 2) : *pdf;
    if (req.get_param_value("disposition") == "attachment") {
      res.set_header("Content-Disposition", "attachment; filename=\"boleto-" + clients[it->second].id + ".pdf\"");
    }
    res.set_content(body, "application/pdf");
  });

  server.Get(R"(/__test/expected/(.+)\.pdf)", [this](const httplib::Request& req, httplib::Response& res) {
    auto it = by_id.find(req.matches[1]);
    auto pdf = it == by_id.end() ? Result<std::string>(MakeError(ErrorKind::kNotFound, "no such client"))
                                 : Pdf(it->second, req.get_param_value("period"));
    if (!pdf.ok()) {
      res.status = 404;
      return res.set_content(pdf.message(), "text/plain");
    }
    res.set_content(*pdf, "application/pdf");
  });
  server.Get(R"(/__test/facts/(.+))", [this](const httplib::Request& req, httplib::Response& res) {
    auto it = by_id.find(req.matches[1]);
    if (it == by_id.end()) {
      res.status = 404;
      return res.set_content("no such client", "text/plain");
    }
    auto f = Facts(it->second, req.get_param_value("period"));
    if (!f.ok()) {
      res.status = 400;
      return res.set_content(f.message(), "text/plain");
    }
    const auto& c = clients[it->second];
    res.set_content(Json{{"id", c.id}, {"name", c.name}, {"document", c.document},
                         {"delivery", DeliveryName(DeliveryOf(it->second))}, {"linha_digitavel", f->linha_digitavel},
                         {"barcode", f->barcode}, {"bank", f->bank}, {"amount", f->amount}, {"due_date", f->due_date}}
                        .dump(),
                    "application/json");
  });
  server.Get("/__test/stats", [this](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    res.set_content(Json{{"logins", logins}, {"searches", searches}, {"downloads", downloads}, {"faults", faults.counts()}}
                        .dump(),
                    "application/json");
  });
  server.Get("/__admin/faults", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(faults.spec().text, "text/plain");
  });
  server.Post("/__admin/faults", [this](const httplib::Request& req, httplib::Response& res) {
    auto spec = ParseFaultSpec(req.body);
    if (!spec.ok()) {
      res.status = 400;
      return res.set_content(spec.message(), "text/plain");
    }
    faults.Set(*spec);
    res.set_content("ok", "text/plain");
  });
}

DemoPortal::DemoPortal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<DemoPortal>> DemoPortal::Start(const PortalOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  auto clients = store::ReadClientsCsv(options.clients_csv);
  if (!clients.ok()) return clients.error();
  if (clients->empty()) return MakeError(ErrorKind::kBadInput, options.clients_csv + " has no clients");
  impl->clients = std::move(*clients);
  for (size_t i = 0; i < impl->clients.size(); ++i) {
    impl->by_id[impl->clients[i].id] = i;
    impl->by_document[Digits(impl->clients[i].document)] = i;
  }
  auto spec = ParseFaultSpec(options.faults);
  if (!spec.ok()) return spec.error();
  impl->faults.Set(*spec);
  impl->no_slip = options.no_slip;
  impl->Routes();
  impl->port = options.port > 0 ? (impl->server.bind_to_port("127.0.0.1", options.port) ? options.port : -1)
                                : impl->server.bind_to_any_port("127.0.0.1");
  if (impl->port <= 0) {
    return MakeError(ErrorKind::kIo, "cannot listen on 127.0.0.1:" + std::to_string(options.port) + " (in use?)");
  }
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  while (!impl->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return std::unique_ptr<DemoPortal>(new DemoPortal(std::move(impl)));
}

DemoPortal::~DemoPortal() {
  impl_->stopping = true;
  impl_->ReleaseHolds();
  impl_->server.stop();
  impl_->thread.join();
}

void DemoPortal::HoldFirstDownloads(const std::set<std::string>& ids, std::chrono::milliseconds longest) {
  std::lock_guard<std::mutex> lock(impl_->hold_mu);
  impl_->holds_released = false;
  impl_->to_hold = ids;
  impl_->longest_hold = longest;
}

void DemoPortal::ReleaseHeldDownloads() { impl_->ReleaseHolds(); }

void DemoPortal::SetCaptchaOnLogin(bool on) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->captcha_on_login = on;
}

void DemoPortal::SetNoSlip(const std::set<std::string>& ids) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->no_slip = ids;
}

int DemoPortal::port() const { return impl_->port; }
std::string DemoPortal::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + path;
}
FaultInjector& DemoPortal::faults() { return impl_->faults; }

Result<std::string> DemoPortal::ExpectedPdf(const std::string& id, const std::string& period) const {
  auto it = impl_->by_id.find(id);
  if (it == impl_->by_id.end()) return MakeError(ErrorKind::kNotFound, "no client " + id);
  return impl_->Pdf(it->second, period);
}

Result<SlipFacts> DemoPortal::Facts(const std::string& id, const std::string& period) const {
  auto it = impl_->by_id.find(id);
  if (it == impl_->by_id.end()) return MakeError(ErrorKind::kNotFound, "no client " + id);
  return impl_->Facts(it->second, period);
}

Result<Delivery> DemoPortal::DeliveryOf(const std::string& id) const {
  auto it = impl_->by_id.find(id);
  if (it == impl_->by_id.end()) return MakeError(ErrorKind::kNotFound, "no client " + id);
  return impl_->DeliveryOf(it->second);
}

}  // namespace boletos::demo
