#pragma once
// YKC per-pile settings: the protocol variant switches for the places where the YKC notes
// (shared/protocols/ykc.md, the ⚠ lines) find the spec and field piles disagreeing, plus the
// billing model the platform gives the pile (0x0A / 0x58). Every switch defaults to the notes'
// recommendation. Registered through the API as the `ykc` object of a pile (docs/ykc.md) and
// stored as canonical JSON (every key present, defaults filled in).
// Pure: parse, validate, print. Errors: "invalid_ykc_options" naming the key and what it allows.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "protocol/ykc/options.h"

namespace cp::ykc {

// 0x0A/0x58 body without the pile number: four tiers (sharp, peak, flat, valley).
struct BillingModelSetting {
  std::string number = "0100";  // 4 BCD digits
  std::array<double, 4> energy_rates{1.0, 0.8, 0.6, 0.3};   // yuan/kWh, 5 decimals on the wire
  std::array<double, 4> service_rates{0.4, 0.4, 0.4, 0.4};  // yuan/kWh
  int loss_percent = 0;                                     // 0..100
  // One tier per half hour from 00:00 (0 sharp, 1 peak, 2 flat, 3 valley): the notes' example.
  std::string slots = "333333333333333322221111110000111111112222223333";
};

struct PileSettings {
  // The codec's variant switches (options.h): crc_byte_order, seq_byte_order,
  // fault_bit_numbering, vin_reversed, bem_bit_order. protocol_version comes from the login.
  Options codec;
  // ChargePlane's body-encryption convention (docs/ykc.md), for piles registered with a cipher.
  bool cipher_cbc = false;        // "cipher_mode": "ecb" (default) | "cbc" (all-zero IV)
  bool cipher_pkcs7 = false;      // "cipher_padding": "zero" (default) | "pkcs7"
  bool clock_sync_on_login = true;  // send 0x56 after a successful login
  // The account balance a remote start (0x34) gives the pile, ×0.01 yuan. The platform keeps no
  // customer balances; piles stop a session when it runs out, so this is the per-session cap.
  std::uint32_t remote_start_balance_fen = 1'000'000;  // "remote_start_balance": 10000.00 yuan
  BillingModelSetting billing_model;
};

// `json` is an object; absent keys keep their defaults, unknown keys are an error.
Result<PileSettings> parse_pile_settings(std::string_view json);
// Applies the keys of `patch` (an object; null resets a key to its default) onto `base`.
Result<PileSettings> patch_pile_settings(const PileSettings& base, std::string_view patch);
std::string to_json(const PileSettings& settings);  // canonical: every key, fixed order
// The stored form after applying `patch` onto `current` ("" = defaults): what the API keeps.
Result<std::string> canonical_settings(std::string_view current, std::string_view patch);

}  // namespace cp::ykc
