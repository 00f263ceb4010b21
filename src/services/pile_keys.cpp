// PileKeyVault and PileTransports (services/pile_keys.h).
#include "services/pile_keys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include "core/base64.h"
#include "services/detail/encoding.h"

namespace cp::services {
namespace {

constexpr std::size_t kKekBytes = 32;
constexpr std::size_t kNonceBytes = 12;
constexpr std::size_t kTagBytes = 16;
constexpr std::string_view kSealedPrefix = "v1:";

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

std::string aad_for(std::string_view pile) { return "chargeplane pile key v1:" + std::string(pile); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace

bool valid_cipher(std::string_view cipher) { return cipher == "none" || cipher == "des" || cipher == "3des"; }

Result<std::string> parse_pile_key(std::string_view cipher, std::string_view hex) {
  if (!valid_cipher(cipher)) return fail("invalid_key", "'cipher' must be none, des or 3des");
  if (cipher == "none") {
    if (!hex.empty()) return fail("invalid_key", "cipher 'none' takes no key");
    return std::string{};
  }
  const bool des = cipher == "des";
  if (des ? hex.size() != 16 : (hex.size() != 32 && hex.size() != 48))
    return fail("invalid_key", des ? "a des key is 8 bytes: 16 hex digits"
                                   : "a 3des key is 16 or 24 bytes: 32 or 48 hex digits");
  std::string key(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < key.size(); ++i) {
    const int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return fail("invalid_key", "the key must be hexadecimal digits only");
    key[i] = static_cast<char>(hi << 4 | lo);
  }
  return key;
}

PileKeyVault::PileKeyVault(std::string kek) : kek_(std::move(kek)) {
  if (kek_.size() != kKekBytes) throw std::invalid_argument("PileKeyVault: the KEK must be 32 bytes");
}

Result<PileKeyVault> PileKeyVault::open_file(const std::string& path) {
  const auto unavailable = [&](const std::string& why) { return fail("kek_unavailable", path + ": " + why); };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    const std::string kek = detail::random_bytes(kKekBytes);
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return unavailable(std::string("cannot create: ") + std::strerror(errno));
    const bool ok = ::write(fd, kek.data(), kek.size()) == static_cast<ssize_t>(kek.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      return unavailable("cannot write the new key-encryption key");
    }
    return PileKeyVault(kek);
  }
  if (fd < 0) return unavailable(std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return unavailable("not a regular file");
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    ::close(fd);
    return unavailable("readable or writable by group or others; chmod 600 it");
  }
  std::string kek(kKekBytes + 1, '\0');
  const auto n = ::read(fd, kek.data(), kek.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(kKekBytes)) return unavailable("must hold exactly 32 bytes");
  kek.resize(kKekBytes);
  return PileKeyVault(std::move(kek));
}

Result<std::string> PileKeyVault::seal(std::string_view pile, std::string_view key) const {
  const std::string nonce = detail::random_bytes(kNonceBytes);
  const std::string aad = aad_for(pile);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  std::string out = nonce;
  out.resize(kNonceBytes + key.size() + kTagBytes);
  int len = 0, fin = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(kek_), bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), bytes(out) + kNonceBytes, &len, bytes(key), static_cast<int>(key.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), bytes(out) + kNonceBytes + len, &fin) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, bytes(out) + kNonceBytes + key.size()) != 1)
    return fail("seal_failed", "AES-256-GCM encryption failed");
  return std::string(kSealedPrefix) + base64_encode(out);
}

Result<std::string> PileKeyVault::unseal(std::string_view pile, std::string_view sealed) const {
  if (sealed.substr(0, kSealedPrefix.size()) != kSealedPrefix)
    return fail("unseal_failed", "not a sealed key (unknown format)");
  auto raw = base64_decode(sealed.substr(kSealedPrefix.size()));
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return fail("unseal_failed", "sealed key is malformed");
  const std::string aad = aad_for(pile);
  const std::size_t n = raw->size() - kNonceBytes - kTagBytes;
  std::string key(n, '\0');
  std::string tag = raw->substr(kNonceBytes + n);
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0, fin = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(kek_), bytes(*raw)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), bytes(key), &len, bytes(*raw) + kNonceBytes, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, bytes(tag)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), bytes(key) + len, &fin) != 1)
    return fail("unseal_failed", "the sealed key does not open with this key-encryption key (replaced KEK file?)");
  return key;
}

std::string PileKeyVault::fingerprint(std::string_view cipher, std::string_view key) {
  if (cipher == "none" || key.empty()) return {};
  // Single DES and 2-key 3DES are 3-key EDE with repeated parts, so one cipher (in OpenSSL's
  // default provider, no legacy provider needed) covers all three.
  std::string k3;
  if (key.size() == 8) k3 = std::string(key) + std::string(key) + std::string(key);
  else if (key.size() == 16) k3 = std::string(key) + std::string(key.substr(0, 8));
  else if (key.size() == 24) k3 = std::string(key);
  else return {};
  std::array<unsigned char, 8> zero{}, block{};
  int len = 0;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_des_ede3_ecb(), nullptr, bytes(k3), nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_EncryptUpdate(ctx.get(), block.data(), &len, zero.data(), 8) != 1)
    return {};
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (int i = 0; i < 3; ++i) {
    out += kHex[block[i] >> 4];
    out += kHex[block[i] & 0xF];
  }
  return out;
}

Result<std::optional<PileTransport>> PileTransports::lookup(const std::string& pile) const {
  auto record = store_.pile(pile);
  if (!record) return fail(record.error());
  if (!record->has_value()) return std::optional<PileTransport>{};
  const auto& r = **record;
  PileTransport t{r.protocol, r.registration, r.cipher, {}, r.protocol_options.empty() ? "{}" : r.protocol_options};
  if (r.cipher != "none") {
    auto key = vault_.unseal(r.id, r.sealed_key);
    if (!key) return fail(key.error());
    t.key = std::move(*key);
  }
  return std::optional<PileTransport>{std::move(t)};
}

}  // namespace cp::services
