#include "api/detail/static_assets.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace cp::api::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxFileBytes = 16 * 1024 * 1024;  // a console file larger than this is a mistake
constexpr std::size_t kMaxFiles = 4096;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(out).str();
}

// A request path is served only if every segment is a plain name: no "..", ".", empty
// segments (//), backslashes or control characters once decoded.
bool plain_path(std::string_view decoded) {
  if (decoded.empty() || decoded.front() != '/') return false;
  std::size_t start = 1;
  while (start <= decoded.size()) {
    const auto end = std::min(decoded.find('/', start), decoded.size());
    const auto seg = decoded.substr(start, end - start);
    if (seg.empty() && end != decoded.size()) return false;  // "//"
    if (seg == "." || seg == "..") return false;
    for (const char c : seg)
      if (static_cast<unsigned char>(c) < 0x20 || c == '\\' || c == 0x7f) return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::string StaticAssets::content_type(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  const std::string ext = dot == std::string_view::npos ? "" : lower(file_name.substr(dot + 1));
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json" || ext == "map") return "application/json";
  if (ext == "webmanifest") return "application/manifest+json";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "png") return "image/png";
  if (ext == "ico") return "image/x-icon";
  if (ext == "woff2") return "font/woff2";
  if (ext == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

bool StaticAssets::accepts_gzip(std::string_view header) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    auto item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    const auto semi = item.find(';');
    const auto coding = lower(trim(item.substr(0, semi)));
    if (coding != "gzip" && coding != "x-gzip" && coding != "*") continue;
    if (semi != std::string_view::npos) {
      const auto params = lower(item.substr(semi + 1));
      const auto q = params.find("q=");
      if (q != std::string::npos) {
        const auto value = trim(std::string_view(params).substr(q + 2));
        // q=0, q=0.0, q=0.000: explicitly refused
        if (!value.empty() && value.find_first_not_of("0.") == std::string_view::npos) return false;
      }
    }
    return true;
  }
  return false;
}

StaticAssets StaticAssets::load(const std::string& root) {
  StaticAssets out;
  std::error_code ec;
  if (root.empty()) {
    out.problem_ = "no web root configured";
    return out;
  }
  if (!fs::is_directory(root, ec)) {
    out.problem_ = "web root " + root + " is not a directory";
    return out;
  }
  std::map<std::string, std::string> gz;  // "/x.js" -> compressed bytes of x.js.gz
  for (fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end; !ec && it != end;
       it.increment(ec)) {
    const auto& entry = *it;
    const auto name = entry.path().filename().string();
    if (!name.empty() && name.front() == '.') {  // hidden files and folders are not published
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (entry.is_symlink(ec) || !entry.is_regular_file(ec)) continue;
    if (entry.file_size(ec) > kMaxFileBytes || out.files_.size() + gz.size() >= kMaxFiles) {
      spdlog::warn("api.web_file_skipped file={} reason=too_large_or_too_many", entry.path().string());
      continue;
    }
    auto content = read_file(entry.path());
    if (!content) {
      spdlog::warn("api.web_file_unreadable file={}", entry.path().string());
      continue;
    }
    std::string key = "/" + fs::relative(entry.path(), root, ec).generic_string();
    if (ec || !plain_path(key)) continue;
    if (key.size() > 3 && key.ends_with(".gz")) {
      gz.emplace(key.substr(0, key.size() - 3), std::move(*content));
      continue;
    }
    File f;
    f.content_type = content_type(key);
    f.body = std::move(*content);
    f.immutable = key.rfind("/assets/", 0) == 0;
    out.files_.emplace(std::move(key), std::move(f));
  }
  if (ec) out.problem_ = "cannot read web root " + root + ": " + ec.message();
  for (auto& [key, bytes] : gz)
    if (auto f = out.files_.find(key); f != out.files_.end()) f->second.gzip = std::move(bytes);
  if (out.files_.find("/index.html") == out.files_.end() && out.problem_.empty())
    out.problem_ = "web root " + root + " has no index.html";
  return out;
}

std::optional<Response> StaticAssets::serve(std::string_view path, std::string_view accept_encoding) const {
  std::string decoded = percent_decode(path, false);
  if (decoded.find('\0') != std::string::npos || !plain_path(decoded)) return std::nullopt;
  if (decoded == "/") decoded = "/index.html";
  const auto it = files_.find(decoded);
  if (it == files_.end()) return std::nullopt;
  const File& f = it->second;
  Response r;
  r.status = 200;
  r.content_type = f.content_type;
  const bool gzip = f.gzip && accepts_gzip(accept_encoding);
  r.body = gzip ? *f.gzip : f.body;
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  if (f.gzip) r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("Cache-Control", f.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (f.content_type.rfind("text/html", 0) == 0) {
    // The console talks only to its own origin; nothing is framed or inlined from elsewhere.
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                           "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  return r;
}

}  // namespace cp::api::detail
