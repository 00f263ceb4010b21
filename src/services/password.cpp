// Password hashing for services/auth.h: PBKDF2-HMAC-SHA256 (OpenSSL PKCS5_PBKDF2_HMAC) with a
// 16-byte random salt and a 32-byte derived key, encoded PHC-style.
#include <openssl/evp.h>

#include <charconv>
#include <stdexcept>
#include <string>
#include <vector>

#include "services/auth.h"
#include "core/base64.h"
#include "services/detail/encoding.h"

namespace cp::services {
namespace {

constexpr std::string_view kScheme = "pbkdf2-sha256";
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kKeyBytes = 32;
// A stored hash is data too: refuse counts that would turn a verification into a DoS.
constexpr int kMaxIterations = 10'000'000;

std::string derive(std::string_view password, std::string_view salt, int iterations, std::size_t len) {
  std::string out(len, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                        iterations, EVP_sha256(), static_cast<int>(len),
                        reinterpret_cast<unsigned char*>(out.data())) != 1)
    throw std::runtime_error("PKCS5_PBKDF2_HMAC failed");
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

}  // namespace

std::string hash_password(std::string_view password, int iterations) {
  if (iterations < 1 || iterations > kMaxIterations) throw std::invalid_argument("PBKDF2 iteration count out of range");
  const auto salt = detail::random_bytes(kSaltBytes);
  const auto key = derive(password, salt, iterations, kKeyBytes);
  return std::string(kScheme) + "$" + std::to_string(iterations) + "$" +
         base64_encode(salt, Base64Alphabet::Standard, Base64Padding::Unpadded) + "$" +
         base64_encode(key, Base64Alphabet::Standard, Base64Padding::Unpadded);
}

bool verify_password(std::string_view password, std::string_view encoded) {
  const auto parts = split(encoded, '$');
  if (parts.size() != 4 || parts[0] != kScheme) return false;
  int iterations = 0;
  const auto [end, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc{} || end != parts[1].data() + parts[1].size()) return false;
  if (iterations < 1 || iterations > kMaxIterations) return false;
  const auto salt = base64_decode(parts[2], Base64Alphabet::Standard);
  const auto expected = base64_decode(parts[3], Base64Alphabet::Standard);
  if (!salt || !expected || salt->empty() || expected->size() < 16 || expected->size() > 64) return false;
  const auto actual = derive(password, *salt, iterations, expected->size());
  return detail::equal_constant_time(actual.data(), expected->data(), expected->size());
}

std::string random_secret(std::size_t bytes) {
  return base64_encode(detail::random_bytes(bytes), Base64Alphabet::Url, Base64Padding::Unpadded);
}

const char* to_string(Role r) {
  switch (r) {
    case Role::Viewer: return "viewer";
    case Role::Operator: return "operator";
    case Role::Admin: return "admin";
  }
  return "viewer";
}

std::optional<Role> role_from_string(std::string_view s) {
  if (s == "viewer") return Role::Viewer;
  if (s == "operator") return Role::Operator;
  if (s == "admin") return Role::Admin;
  return std::nullopt;
}

}  // namespace cp::services
