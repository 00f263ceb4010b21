#pragma once
// Byte encodings and OpenSSL primitives shared by services/auth: base64 (standard and url
// alphabets, unpadded), random bytes, SHA-256 and HMAC-SHA256. Private to services/.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cp::services::detail {

using Digest = std::array<unsigned char, 32>;

enum class Base64Alphabet { Standard, Url };
std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet);
// Accepts input with or without '=' padding; nullopt on any other character.
std::optional<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet);

// Throws std::runtime_error if the CSPRNG fails (nothing safe can be done without it).
std::string random_bytes(std::size_t n);
Digest sha256(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);
bool equal_constant_time(const void* a, const void* b, std::size_t n);

}  // namespace cp::services::detail
