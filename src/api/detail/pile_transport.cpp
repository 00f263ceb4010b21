// Pile transport settings in create/patch bodies (api/detail/pile_transport.h).
#include "api/detail/pile_transport.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/detail/representation.h"
#include "services/pile_keys.h"

namespace cp::api::detail {
namespace json = boost::json;

bool has_transport_settings(const std::string& protocol) { return protocol == "ykc"; }

std::optional<Response> apply_transport_settings(const ApiState& s, const json::object& body,
                                                 store::PileRecord& record, bool creating, TransportChange& changed) {
  const bool supported = has_transport_settings(record.protocol);
  const auto* enc = body.if_contains("encryption");
  const auto* options = supported ? body.if_contains(record.protocol) : nullptr;
  if (!supported) {
    if (enc || body.contains("ykc"))
      return problem(400, "invalid_field", "'encryption' and 'ykc' apply to ykc piles only");
    return std::nullopt;
  }
  if (enc) {
    if (!enc->is_object()) return problem(400, "invalid_encryption", "'encryption' must be an object {cipher, key}");
    const auto& e = enc->as_object();
    for (const auto& [k, v] : e)
      if (k != "cipher" && k != "key")
        return problem(400, "invalid_encryption", "'encryption." + std::string(k) + "' is not a field (cipher, key)");
    auto cipher = string_field(e, "cipher");
    auto key = string_field(e, "key");
    if (!cipher || !key || !*cipher)
      return problem(400, "invalid_encryption", "'encryption.cipher' (none, des or 3des) and 'key' must be strings");
    auto raw = services::parse_pile_key(**cipher, key->value_or(""));
    if (!raw) return problem(400, "invalid_encryption", raw.error().message);
    if (**cipher != "none" && !s.ctx.key_vault)
      return problem(503, "encryption_unavailable", "this server has no key-encryption key to store pile keys");
    std::string sealed;
    if (**cipher != "none") {
      auto sealed_or = s.ctx.key_vault->seal(record.id, *raw);
      if (!sealed_or) return problem(500, "internal_error", "could not seal the key");
      sealed = std::move(*sealed_or);
    }
    const auto fingerprint = services::PileKeyVault::fingerprint(**cipher, *raw);
    changed.encryption = record.cipher != **cipher || record.key_fingerprint != fingerprint || !creating;
    record.cipher = **cipher;
    record.sealed_key = std::move(sealed);
    record.key_fingerprint = fingerprint;
  }
  if (options || creating) {
    if (!s.ctx.protocol_options)
      return problem(503, "options_unavailable", "this server cannot validate " + record.protocol + " options");
    if (options && !options->is_object())
      return problem(400, "invalid_" + record.protocol + "_options", "'" + record.protocol + "' must be an object");
    const std::string patch = options ? json::serialize(*options) : "{}";
    auto canonical = s.ctx.protocol_options(record.protocol, creating ? "" : record.protocol_options, patch);
    if (!canonical) return problem(400, canonical.error().code, canonical.error().message);
    changed.options = *canonical != record.protocol_options;
    record.protocol_options = std::move(*canonical);
  }
  return std::nullopt;
}

void add_transport_json(const store::PileRecord& record, json::object& out) {
  if (!has_transport_settings(record.protocol)) return;
  out["encryption"] = json::object{
      {"cipher", record.cipher},
      {"key_fingerprint", record.key_fingerprint.empty() ? json::value(nullptr) : json::value(record.key_fingerprint)}};
  boost::system::error_code ec;
  auto options = json::parse(record.protocol_options, ec);
  out[record.protocol] = ec ? json::value(json::object{}) : std::move(options);
}

}  // namespace cp::api::detail
