#include "domain/events.h"

#include <array>
#include <string_view>
#include <utility>

namespace cp::domain {
namespace {
template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, const char*>, N>& table, std::string_view s) {
  for (const auto& [e, name] : table)
    if (s == name) return e;
  return std::nullopt;
}
template <class E, std::size_t N>
const char* name_of(const std::array<std::pair<E, const char*>, N>& table, E e) {
  for (const auto& [v, name] : table)
    if (v == e) return name;
  return "?";
}
constexpr std::array<std::pair<Protocol, const char*>, 4> kProtocols{{
    {Protocol::Ocpp16, "ocpp1.6"},
    {Protocol::Ocpp201, "ocpp2.0.1"},
    {Protocol::Ykc, "ykc"},
    {Protocol::Gbt32960, "gbt32960"},
}};
constexpr std::array<std::pair<Registration, const char*>, 3> kRegistrations{{
    {Registration::Accepted, "Accepted"},
    {Registration::Pending, "Pending"},
    {Registration::Rejected, "Rejected"},
}};
constexpr std::array<std::pair<AuthorizationStatus, const char*>, 5> kAuth{{
    {AuthorizationStatus::Accepted, "Accepted"},
    {AuthorizationStatus::Blocked, "Blocked"},
    {AuthorizationStatus::Expired, "Expired"},
    {AuthorizationStatus::Invalid, "Invalid"},
    {AuthorizationStatus::ConcurrentTx, "ConcurrentTx"},
}};
}  // namespace

const char* to_string(Protocol p) { return name_of(kProtocols, p); }
std::optional<Protocol> protocol_from_string(std::string_view s) { return lookup(kProtocols, s); }
const char* to_string(Registration r) { return name_of(kRegistrations, r); }
std::optional<Registration> registration_from_string(std::string_view s) {
  return lookup(kRegistrations, s);
}
const char* to_string(AuthorizationStatus s) { return name_of(kAuth, s); }
std::optional<AuthorizationStatus> authorization_from_string(std::string_view s) {
  return lookup(kAuth, s);
}

void append_live_value_key(const SampledValue& v, std::string& out) {
  out += v.measurand;
  if (!v.phase.empty()) {
    out += '.';
    out += v.phase;
  }
  if (!v.location.empty() && v.location != "Outlet") {
    out += '@';
    out += v.location;
  }
}

std::string live_value_key(const SampledValue& v) {
  std::string key;
  append_live_value_key(v, key);
  return key;
}

}  // namespace cp::domain
