#include "sim/detail/url.h"

namespace cp::sim {

std::optional<Url> parse_url(std::string_view text) {
  Url u;
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  u.scheme = std::string(text.substr(0, sep));
  if (u.scheme != "ws" && u.scheme != "http") return std::nullopt;
  text.remove_prefix(sep + 3);
  const auto slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  u.path = slash == std::string_view::npos ? std::string() : std::string(text.substr(slash));
  while (!u.path.empty() && u.path.back() == '/') u.path.pop_back();
  if (authority.empty()) return std::nullopt;
  std::string_view host = authority;
  std::string_view port = "80";
  if (authority.front() == '[') {  // [::1]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      port = authority.substr(close + 2);
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty() || port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  u.host = std::string(host);
  u.port = std::string(port);
  return u;
}

}  // namespace cp::sim
