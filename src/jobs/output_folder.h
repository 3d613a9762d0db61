#pragma once
// OutputFolder: the files under --out/PERIOD/. Finished boletos lie at their
// final names; failure artifacts in _failed/; nothing else, except the
// temporary files of the run in flight (".boletos-tmp-*"), which a killed
// run leaves and the next run removes. A boleto reaches its final name only
// complete: written under a temporary name, checked, fsynced, renamed, and
// the folder fsynced, so a crash leaves no file or a whole one. Every name
// fits in NAME_MAX (255 bytes), and no byte of a client id that a file name
// cannot hold ('/', '\\', NUL, control characters, DEL) reaches one.

#include <cstdint>
#include <atomic>
#include <functional>
#include <string>

#include "core/result.h"

namespace boletos::jobs {

class OutputFolder {
 public:
  // Makes a folder's entries durable (fsync of the folder). The OS seam:
  // tests record what is synced, or fail it.
  using SyncFolder = std::function<Status(const std::string& folder)>;
  static Status FsyncFolder(const std::string& folder);

  // root: --out; period: "2026-12".
  OutputFolder(std::string root, std::string period, SyncFolder sync_folder = FsyncFolder);

  // Creates PERIOD/ and PERIOD/_failed/ (syncing each new folder in its
  // parent, so a power cut cannot lose a folder whose boletos were synced),
  // checks they are writable, removes temporary files a killed run left.
  // kBadInput names the folder and the fix; kIo a folder that cannot be synced.
  Status Prepare();
  // How many leftovers Prepare() removed.
  int removed_leftovers() const { return removed_leftovers_; }

  // A fresh temporary path in PERIOD/ (same file system as the final name).
  std::string NewTempPath(const std::string& client_id);
  // The final path for a safe file name. If another client already owns
  // that name for the period (taken_by_other, asked of the store), the id is
  // appended: "Ana_DEZEMBRO (c-17).pdf", the name's stem cut (at a UTF-8
  // character boundary) so the whole fits in 255 bytes. The choice depends on the store,
  // not on what lies on disk, so a run killed between rename and commit
  // re-downloads onto the same name instead of leaving a twin.
  std::string FinalPathFor(const std::string& safe_name, const std::string& client_id,
                           const std::function<bool(const std::string& relative)>& taken_by_other) const;
  // fsync(temp), rename(temp, final), fsync(folder).
  Status Commit(const std::string& temp_path, const std::string& final_path);

  // PERIOD/_failed/ID + suffix (".png", ".html", ".rejected.pdf"). The id as
  // in every name: unsafe bytes and '%' as %XX (so ids stay apart), cut
  // with a hash of the whole id when it would not fit.
  std::string FailedPath(const std::string& client_id, const std::string& suffix) const;
  // The path relative to --out, as the store records it ("2026-12/Ana.pdf").
  std::string Relative(const std::string& path) const;
  const std::string& period_dir() const { return period_dir_; }

 private:
  std::string root_;
  std::string period_;
  std::string period_dir_;
  std::string failed_dir_;
  SyncFolder sync_folder_;
  int removed_leftovers_ = 0;
  std::atomic<uint64_t> counter_{0};  // tabs ask for temp names at once
};

// Lower-case hex SHA-256 of a file.
Result<std::string> Sha256OfFile(const std::string& path);

}  // namespace boletos::jobs
