#pragma once
// "scheme://host:port/path" split for the simulator's ws:// and http:// URLs (no TLS, no
// userinfo, no query). Pure.
#include <optional>
#include <string>
#include <string_view>

namespace cp::sim {

struct Url {
  std::string scheme;
  std::string host;
  std::string port;
  std::string path;  // "" or "/..." without a trailing '/'
};

std::optional<Url> parse_url(std::string_view text);

}  // namespace cp::sim
