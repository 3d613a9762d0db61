#include "jobs/slip_commit.h"

#include <filesystem>

namespace boletos::jobs {
namespace fs = std::filesystem;

SlipCommit::SlipCommit(const flow::FlowRunner& flow, const SlipCheck& check, OutputFolder& out, store::Store& store,
                       std::string period, int lanes)
    : flow_(flow), check_(check), out_(out), store_(store), period_(std::move(period)), lanes_(std::max(1, lanes)) {}

void SlipCommit::BeginAttempt(int lane) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  lanes_[lane] = LaneCommit{};
}

AttemptFailure SlipCommit::Reject(const std::string& temp, Error error, bool foreign) {
  std::error_code ec;
  fs::remove(temp, ec);
  return AttemptFailure{std::move(error), foreign, /*browser_died=*/false};
}

AttemptResult SlipCommit::Commit(int lane, const store::WorkItem& item, const DownloadedFile& file) {
  const std::string& id = item.client.id;
  const std::string& temp = file.temp_path;
  bool needles_are_document = false;
  auto needles = flow_.VerifyNeedles(item.client.columns, &needles_are_document);
  auto verdict = [&] {
    std::lock_guard<std::mutex> lock(check_mu_);
    return check_.Check(temp, needles, needles_are_document, flow_.PdfPasswords(item.client.columns));
  }();
  if (!verdict.ok()) return Reject(temp, verdict.error());
  if (!verdict->belongs && file.printed_html && verdict->facts.linha_digitavel.empty()) {
    // With `html: print` an error page or the login form (an expired
    // session) is printed too: with no linha digitável it is no one's slip.
    return Reject(temp, MakeError(ErrorKind::kPortalError, "the portal showed a page that is not a boleto (" +
                                                               file.source_url + "): it has no linha digitável and lacks " +
                                                               verdict->missing));
  }
  if (!verdict->belongs) {
    std::string kept = out_.FailedPath(id, ".rejected.pdf");
    std::error_code ec;
    fs::rename(temp, kept, ec);
    return AttemptFailure{MakeError(ErrorKind::kForeignSlip, "boleto belongs to another client: its text lacks " +
                                                                 verdict->missing + " (kept as " + out_.Relative(kept) +
                                                                 ")"),
                          /*foreign_slip=*/true, /*browser_died=*/false};
  }
  auto sha = Sha256OfFile(temp);
  if (!sha.ok()) return Reject(temp, sha.error());
  std::error_code ec;
  auto bytes = static_cast<int64_t>(fs::file_size(temp, ec));
  auto final_path = CommitToFinalName(lane, item, temp);
  if (!final_path.ok()) return Reject(temp, final_path.error());
  // The client is no longer failing: its old artifacts would only mislead.
  for (const char* suffix : {".png", ".html", ".rejected.pdf"}) fs::remove(out_.FailedPath(id, suffix), ec);

  AttemptSuccess success;
  success.download.file = out_.Relative(*final_path);
  success.download.bytes = bytes;
  success.download.sha256 = *sha;
  success.download.facts = verdict->facts;
  success.printed_html = file.printed_html;
  return success;
}

Result<std::string> SlipCommit::CommitToFinalName(int lane, const store::WorkItem& item, const std::string& temp) {
  const std::string& id = item.client.id;
  // Two lanes may finish clients whose names collide; the Runner records a
  // success only after the attempt returns, so the lanes' own last commits
  // count as taken too.
  std::lock_guard<std::mutex> lock(commit_mu_);
  std::string final_path = out_.FinalPathFor(flow_.OutputName(item.client.columns), id, [&](const std::string& rel) {
    for (size_t other = 0; other < lanes_.size(); ++other) {
      if (static_cast<int>(other) != lane && lanes_[other].file == rel && lanes_[other].client != id) return true;
    }
    auto owner = store_.FileOwner(period_, rel);
    return owner.ok() && !owner->empty() && *owner != id;
  });
  if (Status s = out_.Commit(temp, final_path); !s.ok()) return s.error();
  lanes_[lane] = LaneCommit{out_.Relative(final_path), id};
  return final_path;
}

}  // namespace boletos::jobs
