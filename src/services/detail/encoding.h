#pragma once
// OpenSSL primitives shared by services/auth: random bytes, SHA-256 and HMAC-SHA256
// (base64 lives in core/base64.h). Private to services/.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cp::services::detail {

using Digest = std::array<unsigned char, 32>;

// Throws std::runtime_error if the CSPRNG fails (nothing safe can be done without it).
std::string random_bytes(std::size_t n);
Digest sha256(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);
bool equal_constant_time(const void* a, const void* b, std::size_t n);

}  // namespace cp::services::detail
