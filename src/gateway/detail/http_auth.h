#pragma once
// Pure helpers for the WebSocket upgrade request: the pile id from the path, the offered
// OCPP subprotocols, and HTTP Basic credentials (RFC 7617). No I/O.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cp::gateway::detail {

// "/ocpp/CP%2D1" → "CP-1". nullopt if the path is not /ocpp/<id> with a non-empty id of at
// most 48 characters (OCPP 1.6 chargeBoxIdentity is CiString48), or the id contains '/'.
std::optional<std::string> pile_id_from_target(std::string_view target, std::string_view prefix = "/ocpp/");

// "ocpp2.0.1, ocpp1.6" → {"ocpp2.0.1", "ocpp1.6"}
std::vector<std::string> offered_subprotocols(std::string_view header);

struct BasicCredentials {
  std::string user;
  std::string password;
};
// "Basic <base64(user:password)>". nullopt if absent or malformed.
std::optional<BasicCredentials> parse_basic_auth(std::string_view header);

}  // namespace cp::gateway::detail
