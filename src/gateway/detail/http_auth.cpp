#include "gateway/detail/http_auth.h"

#include "core/base64.h"

#include <cctype>

namespace cp::gateway::detail {
namespace {
int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}
}  // namespace

std::optional<std::string> pile_id_from_target(std::string_view target, std::string_view prefix) {
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  if (target.substr(0, prefix.size()) != prefix) return std::nullopt;
  target.remove_prefix(prefix.size());
  std::string id;
  for (std::size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size()) return std::nullopt;
      const int hi = hex(target[i + 1]), lo = hex(target[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '/') return std::nullopt;
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return std::nullopt;
    id += c;
  }
  if (id.empty() || id.size() > 48) return std::nullopt;
  return id;
}

std::vector<std::string> offered_subprotocols(std::string_view header) {
  std::vector<std::string> out;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto item = trim(header.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return out;
}

std::optional<BasicCredentials> parse_basic_auth(std::string_view header) {
  header = trim(header);
  constexpr std::string_view scheme = "Basic ";
  if (header.size() <= scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < 5; ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != "basic"[i]) return std::nullopt;
  if (header[5] != ' ') return std::nullopt;
  auto decoded = base64_decode(trim(header.substr(scheme.size())));
  if (!decoded) return std::nullopt;
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

}  // namespace cp::gateway::detail
