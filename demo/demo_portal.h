#pragma once
// DemoPortal: a customer portal on 127.0.0.1 for the demo and the tests
// (cpp-httplib). A login form with a session cookie; a search whose result
// link is inserted by page script after a short delay; boletos delivered
// five ways (attachment, inline PDF, new tab, HTML to print, blob), chosen
// by the client's position in the CSV; clients with no open slip on demand;
// faults on demand; and /__test/
// endpoints that tell the tests what the portal served.

#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "core/result.h"
#include "faults.h"
#include "slip_maker.h"

namespace boletos::demo {

struct PortalOptions {
  std::string clients_csv;
  std::string user = "demo";
  std::string password = "demo123";
  std::string faults;  // FaultSpec text
  uint64_t seed = 1;
  int port = 0;  // 0: any free port
  // Clients with no open slip: their search shows "Nenhum boleto em aberto"
  // instead of a link (what a flow's none_if is for).
  std::set<std::string> no_slip;
};

enum class Delivery { kAttachment, kInline, kNewTab, kHtml, kBlob };
const char* DeliveryName(Delivery d);

class DemoPortal {
 public:
  static Result<std::unique_ptr<DemoPortal>> Start(const PortalOptions& options);
  ~DemoPortal();

  int port() const;
  std::string url(const std::string& path = "") const;
  FaultInjector& faults();

  // What the portal serves for a client and period (the tests' oracle).
  Result<std::string> ExpectedPdf(const std::string& id, const std::string& period) const;
  Result<SlipFacts> Facts(const std::string& id, const std::string& period) const;
  Result<Delivery> DeliveryOf(const std::string& id) const;

  // For tests that must act while given clients are mid-way in a browser:
  // the first slip request of each of these clients waits until
  // ReleaseHeldDownloads(), the portal's end, or `longest` (so a test whose
  // moment never comes fails on its checks instead of hanging). Later
  // requests pass.
  void HoldFirstDownloads(const std::set<std::string>& ids,
                          std::chrono::milliseconds longest = std::chrono::seconds(60));
  void ReleaseHeldDownloads();
  // From now on, the login page is a reCAPTCHA (as portals show one after
  // some logins) and has no login form.
  void SetCaptchaOnLogin(bool on);
  // From now on, these clients have no open slip (see PortalOptions::no_slip).
  void SetNoSlip(const std::set<std::string>& ids);

  struct Impl;

 private:
  explicit DemoPortal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace boletos::demo
