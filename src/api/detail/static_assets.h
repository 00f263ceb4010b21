#pragma once
// StaticAssets — the operator console's built files (web/dist, see docs/console.md), served
// by the API server at `/` next to the REST API. The directory is read once, at start, into
// memory (a few hundred KiB), so a request can only ever name a file that was there: there
// is no filesystem access per request and hence no path to traverse. Requests are matched
// literally after percent-decoding; anything with `..`, a backslash, a NUL or an empty
// segment is refused (404) before the lookup, as a second line of defence.
// Responses: Content-Type by extension; `Cache-Control: public, max-age=31536000, immutable`
// for files under `assets/` (Vite puts a content hash in their names), `no-cache` for the rest
// (index.html must be revalidated so a new build is picked up); a precompressed `<file>.gz`
// sibling is sent with `Content-Encoding: gzip` to clients that accept gzip (`Vary:
// Accept-Encoding` either way). Thread-safe after load (read-only).
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/detail/http.h"

namespace cp::api::detail {

class StaticAssets {
 public:
  // Reads every regular file under `root` (symbolic links are not followed; hidden files and
  // the `.gz` siblings are not served as files of their own). A missing or unreadable root
  // gives an empty set and an error string in `problem()`; the server then serves the API only.
  static StaticAssets load(const std::string& root);

  bool empty() const { return files_.empty(); }
  std::size_t size() const { return files_.size(); }
  const std::string& problem() const { return problem_; }

  // The response for GET `path` (percent-encoded as received), or nullopt when no file
  // matches. `/` is index.html.
  std::optional<Response> serve(std::string_view path, std::string_view accept_encoding) const;

  static std::string content_type(std::string_view file_name);
  static bool accepts_gzip(std::string_view accept_encoding);

 private:
  struct File {
    std::string content_type;
    std::string body;
    std::optional<std::string> gzip;  // the precompressed sibling, when there is one
    bool immutable = false;
  };
  std::map<std::string, File, std::less<>> files_;  // key: "/index.html", "/assets/app-1a2b.js"
  std::string problem_;
};

}  // namespace cp::api::detail
