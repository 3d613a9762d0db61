#include "consorcio_portal.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "consorcio_pages.h"
#include "core/period.h"
#include "slip_maker.h"

namespace boletos::test_portal {
namespace {

using Clock = std::chrono::steady_clock;

std::string Digits(const std::string& s) {
  std::string d;
  for (char c : s) {
    if (c >= '0' && c <= '9') d += c;
  }
  return d;
}

const char* KindOf(Delivery d) {
  switch (d) {
    case Delivery::kPostbackAttachment: return "postback";
    case Delivery::kNamedPopup: return "popup";
    case Delivery::kViewer: return "viewer";
    case Delivery::kBlob: return "blob";
    case Delivery::kAsync: return "async";
    case Delivery::kHtml: return "html";
    case Delivery::kPassword: return "password";
    case Delivery::kNoSlip: return "none";
  }
  return "none";
}

}  // namespace

const char* DeliveryName(Delivery d) { return KindOf(d); }

const std::vector<PortalClient>& ConsorcioPortal::Clients() {
  static const std::vector<PortalClient> clients = {
      {"k01", "João da Silva", "158.813.998-03", Delivery::kPostbackAttachment},
      {"k02", "Maria Aparecida Souza", "987.973.091-76", Delivery::kNamedPopup},
      {"k03", "José Carlos Pereira", "417.075.364-06", Delivery::kViewer},
      {"k04", "Padaria Pão & Cia Ltda", "56.815.188/0001-80", Delivery::kBlob},
      {"k05", "Ana Luíza Oliveira", "472.940.557-93", Delivery::kAsync},
      {"k06", "Francisco Gonçalves", "169.871.689-38", Delivery::kHtml},
      {"k07", "Antônia Ribeiro", "684.697.880-19", Delivery::kPassword},
      {"k08", "Mercadinho São Jorge ME", "20.819.672/0001-30", Delivery::kNoSlip},
  };
  return clients;
}

struct ConsorcioPortal::Impl {
  ConsorcioOptions options;
  httplib::Server server;
  std::thread thread;
  int port = 0;

  mutable std::mutex mu;
  struct Session {
    int client = -1;  // "the current client": set by a search
    int requests = 0;
    Clock::time_point requested_slip{};
  };
  std::map<std::string, Session> sessions;
  bool session_ended_at_slip = false;  // options.session_ends_at_slip_of happened
  std::map<std::string, int> popup_tokens;  // /gerar/pdf?t= -> client
  std::set<std::string> viewstates;
  std::mt19937_64 random{20261207};
  int login_posts = 0;
  int logins = 0;
  std::map<std::string, int> served;

  std::string Token() {
    static const char* hex = "0123456789abcdef";
    std::string t;
    for (int i = 0; i < 24; ++i) t += hex[random() % 16];
    return t;
  }
  std::string NewViewstate() {
    std::lock_guard<std::mutex> lock(mu);
    std::string v = "/wEPDwUK" + Token();
    viewstates.insert(v);
    return v;
  }
  bool TakeViewstate(const std::string& v) {
    std::lock_guard<std::mutex> lock(mu);
    return viewstates.erase(v) > 0;
  }
  static std::string SessionToken(const httplib::Request& req) {
    std::string cookie = req.get_header_value("Cookie");
    auto at = cookie.find("ASP.NET_SessionId=");
    if (at == std::string::npos) return "";
    return cookie.substr(at + 18, cookie.find(';', at) - at - 18);
  }
  // The request's session (counted), or nullptr: none, or timed out.
  Session* SessionOf(const httplib::Request& req) {
    std::string token = SessionToken(req);
    if (token.empty()) return nullptr;
    auto it = sessions.find(token);
    if (it == sessions.end()) return nullptr;
    if (options.session_requests > 0 && ++it->second.requests > options.session_requests) {
      sessions.erase(it);
      return nullptr;
    }
    return &it->second;
  }

  std::string Pdf(const PortalClient& c) const {
    auto period = ParsePeriod(options.period);
    size_t i = static_cast<size_t>(&c - &Clients()[0]);
    std::string free_field = "1234567890123456789" + std::to_string(100000 + i);
    auto f = demo::MakeBankSlip("341", 25000 + static_cast<long long>(i) * 1111, period->year, period->month,
                                15, free_field.substr(0, 25));
    return demo::MakeTextPdf({"CONSORCIO DEMO ADMINISTRADORA", "Pagador: " + c.name, "CPF/CNPJ: " + c.document,
                              "Vencimento: " + f.due_printed, "Valor do Documento: R$ " + f.amount_printed,
                              "Linha digitavel: " + f.linha_printed});
  }
  demo::SlipFacts Facts(const PortalClient& c) const {
    auto period = ParsePeriod(options.period);
    size_t i = static_cast<size_t>(&c - &Clients()[0]);
    std::string free_field = "1234567890123456789" + std::to_string(100000 + i);
    return demo::MakeBankSlip("341", 25000 + static_cast<long long>(i) * 1111, period->year, period->month, 15,
                              free_field.substr(0, 25));
  }
  // The protected PDF of a client, made once with qpdf (user password: the
  // document's digits).
  std::string ProtectedPdf(const PortalClient& c) {
    std::string plain = options.work_dir + "/" + c.id + ".pdf";
    std::string locked = options.work_dir + "/" + c.id + ".protegido.pdf";
    std::ifstream have(locked, std::ios::binary);
    if (!have) {
      std::ofstream(plain, std::ios::binary) << Pdf(c);
      std::string cmd = "qpdf --encrypt " + Digits(c.document) + " dono-" + c.id + " 256 -- " + plain + " " + locked;
      if (std::system(cmd.c_str()) != 0) return "";
    }
    std::ifstream in(locked, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  // The current client's slip, or the trap of a session that timed out:
  // the login page labelled application/pdf.
  void SendSlip(const httplib::Request& req, httplib::Response& res, const std::string& disposition) {
    std::lock_guard<std::mutex> lock(mu);
    Session* s = SessionOf(req);
    if (!s || s->client < 0) {
      return res.set_content(pages::Login("", "Sua sessão expirou"), "application/pdf");
    }
    const PortalClient& c = Clients()[static_cast<size_t>(s->client)];
    if (!session_ended_at_slip && c.id == options.session_ends_at_slip_of) {
      session_ended_at_slip = true;
      sessions.erase(SessionToken(req));
      return res.set_content(pages::Login("", "Sua sessão expirou"), "application/pdf");
    }
    ++served[c.id];
    std::string name = "boleto nº " + c.id + ".pdf";
    std::string encoded;
    for (unsigned char ch : name) {
      static const char* hex = "0123456789ABCDEF";
      if (std::isalnum(ch) || ch == '.' || ch == '-') encoded += static_cast<char>(ch);
      else encoded += std::string("%") + hex[ch >> 4] + hex[ch & 15];
    }
    res.set_header("Content-Disposition", disposition + "; filename=\"boleto.pdf\"; filename*=UTF-8''" + encoded);
    res.set_content(Pdf(c), "application/pdf");
  }

  void Routes();
};

void ConsorcioPortal::Impl::Routes() {
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(pages::Top(), "text/html; charset=utf-8");
  });
  server.Get("/login", [this](const httplib::Request&, httplib::Response& res) {
    if (options.captcha) return res.set_content(pages::CaptchaLogin(), "text/html; charset=utf-8");
    res.set_content(pages::Login(NewViewstate(), ""), "text/html; charset=utf-8");
  });
  server.Post("/login", [this](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (++login_posts <= options.busy_logins) {
        res.status = 503;
        res.set_header("Retry-After", "1");
        return res.set_content("<!doctype html><p>Serviço temporariamente indisponível</p>", "text/html; charset=utf-8");
      }
    }
    if (!TakeViewstate(req.get_param_value("__VIEWSTATE"))) {
      res.status = 400;
      return res.set_content("<!doctype html><p>Estado de exibição inválido</p>", "text/html; charset=utf-8");
    }
    if (Digits(req.get_param_value("documento")) != options.user || req.get_param_value("senha") != options.password) {
      return res.set_content(pages::Login(NewViewstate(), "Usuário ou senha inválidos"), "text/html; charset=utf-8");
    }
    std::lock_guard<std::mutex> lock(mu);
    std::string token = Token();
    sessions[token] = Session{};
    ++logins;
    res.set_header("Set-Cookie", "ASP.NET_SessionId=" + token + "; Path=/; HttpOnly");
    res.set_content(pages::LoginDone(), "text/html; charset=utf-8");
  });
  server.Get("/consulta", [this](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!SessionOf(req)) return res.set_redirect("/");
    }
    res.set_content(pages::Consulta(NewViewstate(), "", "", false), "text/html; charset=utf-8");
  });
  server.Post("/consulta", [this](const httplib::Request& req, httplib::Response& res) {
    std::string target = req.get_param_value("__EVENTTARGET");
    if (target == "gerar") return SendSlip(req, res, "attachment");
    if (!TakeViewstate(req.get_param_value("__VIEWSTATE"))) {
      res.status = 400;
      return res.set_content("<!doctype html><p>Estado de exibição inválido</p>", "text/html; charset=utf-8");
    }
    int found = -1;
    {
      std::lock_guard<std::mutex> lock(mu);
      Session* s = SessionOf(req);
      if (!s) return res.set_redirect("/");
      for (size_t i = 0; i < Clients().size(); ++i) {
        if (Digits(Clients()[i].document) == Digits(req.get_param_value("cpf"))) found = static_cast<int>(i);
      }
      s->client = found;  // the server's idea of "the current client"
    }
    std::string viewstate = NewViewstate();
    if (found < 0) {
      return res.set_content(pages::Consulta(viewstate, "<p>Consorciado não encontrado</p>", "", false),
                             "text/html; charset=utf-8");
    }
    const PortalClient& c = Clients()[static_cast<size_t>(found)];
    std::string kind = KindOf(c.delivery);
    std::string grid = pages::Grid(options.period, kind == "none" ? "" : pages::Link(kind));
    res.set_content(pages::Consulta(viewstate, grid, pages::LinkSupport(kind, viewstate), c.delivery == Delivery::kViewer),
                    "text/html; charset=utf-8");
  });
  server.Post("/gerar", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    Session* s = SessionOf(req);
    std::string token = Token();
    popup_tokens[token] = s ? s->client : -1;
    res.set_content(pages::Aguarde(token), "text/html; charset=utf-8");
  });
  server.Get("/gerar/pdf", [this](const httplib::Request& req, httplib::Response& res) {
    SendSlip(req, res, "inline");
  });
  server.Get("/visualizar", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(pages::Viewer(), "text/html; charset=utf-8");
  });
  server.Get("/visualizar/boleto.pdf", [this](const httplib::Request& req, httplib::Response& res) {
    SendSlip(req, res, "inline");
  });
  server.Post("/api/boleto", [this](const httplib::Request& req, httplib::Response& res) {
    SendSlip(req, res, "inline");
  });
  server.Get("/solicitar", [this](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (Session* s = SessionOf(req)) s->requested_slip = Clock::now();
    }
    res.set_content(pages::Solicitado(), "text/html; charset=utf-8");
  });
  server.Get("/solicitar/status", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    Session* s = SessionOf(req);
    bool ready = s && Clock::now() - s->requested_slip > std::chrono::seconds(3);
    res.set_content(ready ? "pronto" : "processando", "text/plain");
  });
  server.Get("/solicitar/boleto.pdf", [this](const httplib::Request& req, httplib::Response& res) {
    // Sent chunked, without a Content-Length, in pieces.
    httplib::Response whole;
    SendSlip(req, whole, "attachment");
    auto body = std::make_shared<std::string>(whole.body);
    res.set_header("Content-Disposition", whole.get_header_value("Content-Disposition"));
    res.set_chunked_content_provider(whole.get_header_value("Content-Type"),
                                     [body](size_t offset, httplib::DataSink& sink) {
                                       if (offset >= body->size()) {
                                         sink.done();
                                         return true;
                                       }
                                       size_t n = std::min<size_t>(400, body->size() - offset);
                                       std::this_thread::sleep_for(std::chrono::milliseconds(20));
                                       return sink.write(body->data() + offset, n);
                                     });
  });
  server.Get("/boleto.html", [this](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mu);
    Session* s = SessionOf(req);
    if (!s || s->client < 0) return res.set_redirect("/");
    const PortalClient& c = Clients()[static_cast<size_t>(s->client)];
    ++served[c.id];
    auto f = Facts(c);
    res.set_content(pages::HtmlSlip(c.name, c.document, f.linha_printed, f.due_printed, f.amount_printed),
                    "text/html; charset=ISO-8859-1");
  });
  server.Get("/boleto-protegido.pdf", [this](const httplib::Request& req, httplib::Response& res) {
    int client = -1;
    {
      std::lock_guard<std::mutex> lock(mu);
      Session* s = SessionOf(req);
      if (!s || s->client < 0) return res.set_content(pages::Login("", "Sua sessão expirou"), "application/pdf");
      client = s->client;
      ++served[Clients()[static_cast<size_t>(client)].id];
    }
    res.set_header("Content-Disposition", "attachment; filename=\"boleto-protegido.pdf\"");
    res.set_content(ProtectedPdf(Clients()[static_cast<size_t>(client)]), "application/pdf");
  });
  server.Get("/sair", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Set-Cookie", "ASP.NET_SessionId=; Path=/; Max-Age=0");
    res.set_redirect("/");
  });
}

Result<std::unique_ptr<ConsorcioPortal>> ConsorcioPortal::Start(const ConsorcioOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  if (!ParsePeriod(options.period).ok()) return MakeError(ErrorKind::kBadInput, "bad period " + options.period);
  impl->Routes();
  impl->port = impl->server.bind_to_any_port("127.0.0.1");
  if (impl->port <= 0) return MakeError(ErrorKind::kIo, "the consórcio portal cannot listen on 127.0.0.1");
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  return std::unique_ptr<ConsorcioPortal>(new ConsorcioPortal(std::move(impl)));
}

ConsorcioPortal::ConsorcioPortal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ConsorcioPortal::~ConsorcioPortal() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string ConsorcioPortal::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + path;
}

std::string ConsorcioPortal::SlipPdf(const PortalClient& client) const { return impl_->Pdf(client); }

std::string ConsorcioPortal::ClientsCsv() {
  std::string csv = "id,name,document\n";
  for (const auto& c : Clients()) csv += std::string(c.id) + ",\"" + c.name + "\"," + c.document + "\n";
  return csv;
}

std::map<std::string, int> ConsorcioPortal::served() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->served;
}

int ConsorcioPortal::logins() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->logins;
}

}  // namespace boletos::test_portal
