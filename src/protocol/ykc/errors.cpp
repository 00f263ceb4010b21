#include "protocol/ykc/errors.h"

#include <array>

namespace cp::ykc {

std::string_view errc_name(Errc code) {
  static constexpr std::array<std::string_view, kErrcCount> kNames{
      "garbage",        "bad_start",       "bad_length",         "oversized",      "bad_crc",
      "truncated",      "trailing_bytes",  "buffer_full",        "unknown_type",   "wrong_direction",
      "unsupported_version", "short_body", "long_body",          "bad_bcd",        "bad_value",
      "body_too_large", "no_cipher",       "bad_key",            "bad_ciphertext", "bad_padding",
      "crypto_unavailable", "crypto_failure", "unexpected_encryption"};
  const auto i = static_cast<std::size_t>(code);
  return i < kNames.size() ? kNames[i] : "unknown_error";
}

}  // namespace cp::ykc
