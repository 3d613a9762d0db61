#include "jobs/output_folder.h"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace boletos::jobs {
namespace fs = std::filesystem;
namespace {

constexpr const char* kTempPrefix = ".boletos-tmp-";
constexpr size_t kNameMax = 255;    // NAME_MAX: bytes in one name, on every Linux file system
constexpr size_t kIdInName = 100;   // at most this much of a name is the collision suffix's id
constexpr size_t kHashDigits = 16;  // of an id's sha256, when the id is cut

// Lower-case hex of the digest so far.
std::string HexDigest(sha256_ctx& ctx) {
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : digest) {
    out += hex[byte >> 4];
    out += hex[byte & 0xF];
  }
  return out;
}

std::string Sha256Hex(const std::string& bytes, size_t digits) {
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data()));
  return HexDigest(ctx).substr(0, digits);
}

// At most n bytes of s, never ending inside a UTF-8 character.
size_t Utf8CutPoint(const std::string& s, size_t n) {
  if (s.size() <= n) return s.size();
  size_t end = n;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return end;
}

// A client id as part of a file name. The bytes a name cannot hold ('/',
// '\\', NUL, control characters, DEL) and '%' itself become %XX, so two ids
// never share a name; "." and ".." are escaped whole. An id longer than
// max_bytes is cut (never inside a character or an escape) and ends in
// "~" and a hash of the whole id, so cut ids stay apart too.
std::string IdForFileName(const std::string& id, size_t max_bytes) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : id) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '%') {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (out == "." || out == "..") out = out == "." ? "%2E" : "%2E%2E";
  if (out.size() <= max_bytes) return out;
  size_t end = Utf8CutPoint(out, max_bytes - 1 - kHashDigits);
  if (end >= 1 && out[end - 1] == '%') end -= 1;
  else if (end >= 2 && out[end - 2] == '%') end -= 2;
  return out.substr(0, end) + "~" + Sha256Hex(id, kHashDigits);
}

Status FsyncPath(const std::string& path, int flags) {
  int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return MakeError(ErrorKind::kIo, "cannot open " + path + " to sync it: " + std::strerror(errno));
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return MakeError(ErrorKind::kIo, "cannot sync " + path + " to disk: " + std::strerror(err));
  return Status::Ok();
}

}  // namespace

Status OutputFolder::FsyncFolder(const std::string& folder) { return FsyncPath(folder, O_RDONLY | O_DIRECTORY); }

OutputFolder::OutputFolder(std::string root, std::string period, SyncFolder sync_folder)
    : root_(std::move(root)), period_(std::move(period)), sync_folder_(std::move(sync_folder)) {
  period_dir_ = (fs::path(root_) / period_).string();
  failed_dir_ = (fs::path(period_dir_) / "_failed").string();
}

Status OutputFolder::Prepare() {
  // Folder by folder from the top, so each one made here is synced in its
  // parent: a rename synced in PERIOD/ is durable only if PERIOD/ is.
  std::error_code ec;
  fs::path folder;
  for (const fs::path& part : fs::path(failed_dir_)) {
    folder /= part;
    if (fs::is_directory(folder, ec)) continue;
    if (!fs::create_directory(folder, ec) && ec) {
      return MakeError(ErrorKind::kBadInput, "cannot create the output folder " + failed_dir_ + " (" +
                                                 folder.string() + ": " + ec.message() +
                                                 "): pass --out with a writable folder");
    }
    fs::path parent = folder.parent_path();
    if (Status s = sync_folder_(parent.empty() ? "." : parent.string()); !s.ok()) return s;
  }
  if (access(period_dir_.c_str(), W_OK) != 0 || access(failed_dir_.c_str(), W_OK) != 0) {
    return MakeError(ErrorKind::kBadInput, "the output folder " + period_dir_ +
                                               " is not writable (fix its permissions or pass another --out)");
  }
  for (const auto& dir : {period_dir_, failed_dir_}) {
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().filename().string().rfind(kTempPrefix, 0) == 0) {
        fs::remove(entry.path(), ec);
        if (!ec) ++removed_leftovers_;
      }
    }
  }
  return Status::Ok();
}

std::string OutputFolder::NewTempPath(const std::string& client_id) {
  // The id may hold any character; the temp name needs only to be unique.
  std::string safe;
  for (char c : client_id) safe += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return (fs::path(period_dir_) / (std::string(kTempPrefix) + std::to_string(getpid()) + "-" +
                                   std::to_string(++counter_) + "-" + safe.substr(0, 40)))
      .string();
}

std::string OutputFolder::FinalPathFor(const std::string& safe_name, const std::string& client_id,
                                       const std::function<bool(const std::string&)>& taken_by_other) const {
  std::string stem = fs::path(safe_name).stem().string();
  std::string extension = fs::path(safe_name).extension().string();
  if (extension.size() > 16) {  // not an extension: a name with a dot in it
    stem = safe_name;
    extension.clear();
  }
  auto named = [&](const std::string& suffix) {
    std::string cut = stem.substr(0, Utf8CutPoint(stem, kNameMax - suffix.size() - extension.size()));
    return (fs::path(period_dir_) / (cut + suffix + extension)).string();
  };
  std::string candidate = named("");
  if (!taken_by_other(Relative(candidate))) return candidate;
  return named(" (" + IdForFileName(client_id, kIdInName) + ")");
}

Status OutputFolder::Commit(const std::string& temp_path, const std::string& final_path) {
  if (Status s = FsyncPath(temp_path, O_RDONLY); !s.ok()) return s;
  if (std::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    return MakeError(ErrorKind::kIo, "cannot rename " + temp_path + " to " + final_path + ": " + std::strerror(errno));
  }
  return sync_folder_(period_dir_);
}

std::string OutputFolder::FailedPath(const std::string& client_id, const std::string& suffix) const {
  return (fs::path(failed_dir_) / (IdForFileName(client_id, kNameMax - suffix.size()) + suffix)).string();
}

std::string OutputFolder::Relative(const std::string& path) const {
  return fs::path(path).lexically_relative(root_).string();
}

Result<std::string> Sha256OfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorKind::kIo, "cannot read " + path + " to hash it");
  // Nettle, not OpenSSL: OpenSSL 3's first digest loads its provider machinery,
  // 2.3 MB of worker RSS for one hash function.
  sha256_ctx ctx;
  sha256_init(&ctx);
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    sha256_update(&ctx, static_cast<size_t>(in.gcount()), reinterpret_cast<const uint8_t*>(buf));
  }
  if (in.bad()) return MakeError(ErrorKind::kIo, "could not read all of " + path + " to hash it");
  return HexDigest(ctx);
}

}  // namespace boletos::jobs
