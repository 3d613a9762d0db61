#pragma once
// SlipCommit: what happens to a downloaded file before it counts as the
// client's boleto. It is checked (a well-formed PDF whose text shows it is
// this client's: SlipCheck), hashed, given its final name (a name another
// client owns is not taken) and committed (fsynced, renamed); the client's
// old failure artifacts go. A file that fails is removed, or kept in
// _failed/ when it is another client's slip. No browser in it.
//
// Thread-safe: the Runner's lanes commit at once, each as its `lane`
// (0 <= lane < lanes). A lane's last commit counts as taken until the
// lane's next BeginAttempt(): the Runner records it in between.

#include <mutex>
#include <string>
#include <vector>

#include "flow/flow_runner.h"
#include "jobs/attempt_result.h"
#include "jobs/output_folder.h"
#include "jobs/slip_check.h"

namespace boletos::jobs {

struct DownloadedFile {
  std::string temp_path;  // in the period's folder (OutputFolder::NewTempPath)
  bool printed_html = false;
  std::string source_url;  // the file's or the printed page's
};

class SlipCommit {
 public:
  SlipCommit(const flow::FlowRunner& flow, const SlipCheck& check, OutputFolder& out, store::Store& store,
             std::string period, int lanes);

  // The lane starts its next attempt: its last commit is recorded.
  void BeginAttempt(int lane);
  // The success (the file at its final name), or why the file is not the
  // client's boleto (foreign_slip set when it is another client's).
  AttemptResult Commit(int lane, const store::WorkItem& item, const DownloadedFile& file);

 private:
  AttemptFailure Reject(const std::string& temp, Error error, bool foreign = false);
  Result<std::string> CommitToFinalName(int lane, const store::WorkItem& item, const std::string& temp);

  struct LaneCommit {
    std::string file;  // relative, as the store records it
    std::string client;
  };
  const flow::FlowRunner& flow_;
  const SlipCheck& check_;
  OutputFolder& out_;
  store::Store& store_;
  std::string period_;
  std::mutex check_mu_;   // poppler's global state is not for two threads
  std::mutex commit_mu_;  // choosing a final name and renaming to it; lanes_
  std::vector<LaneCommit> lanes_;
};

}  // namespace boletos::jobs
