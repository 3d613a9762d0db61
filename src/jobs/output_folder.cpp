#include "jobs/output_folder.h"

#include <fcntl.h>
#include <nettle/sha2.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace boletos::jobs {
namespace fs = std::filesystem;
namespace {

constexpr const char* kTempPrefix = ".boletos-tmp-";

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

OutputFolder::OutputFolder(std::string root, std::string period)
    : root_(std::move(root)), period_(std::move(period)) {
  period_dir_ = (fs::path(root_) / period_).string();
  failed_dir_ = (fs::path(period_dir_) / "_failed").string();
}

Status OutputFolder::Prepare() {
  std::error_code ec;
  fs::create_directories(failed_dir_, ec);
  if (ec) {
    return MakeError(ErrorKind::kBadInput, "cannot create the output folder " + failed_dir_ + ": " + ec.message() +
                                               " (pass --out with a writable folder)");
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
  fs::path candidate = fs::path(period_dir_) / safe_name;
  if (taken_by_other(Relative(candidate.string()))) {
    fs::path name(safe_name);
    std::string id;
    for (char c : client_id) id += (c == '/' || c == '\\') ? '_' : c;
    candidate = fs::path(period_dir_) / (name.stem().string() + " (" + id + ")" + name.extension().string());
  }
  return candidate.string();
}

Status OutputFolder::Commit(const std::string& temp_path, const std::string& final_path) {
  if (Status s = FsyncPath(temp_path, O_RDONLY); !s.ok()) return s;
  if (std::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    return MakeError(ErrorKind::kIo, "cannot rename " + temp_path + " to " + final_path + ": " + std::strerror(errno));
  }
  return FsyncPath(period_dir_, O_RDONLY | O_DIRECTORY);
}

std::string OutputFolder::FailedPath(const std::string& client_id, const std::string& suffix) const {
  std::string safe;
  for (char c : client_id) safe += (c == '/' || c == '\\' || c == '\0') ? '_' : c;
  if (safe == "." || safe == "..") safe = "_" + safe;
  return (fs::path(failed_dir_) / (safe + suffix)).string();
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

}  // namespace boletos::jobs
