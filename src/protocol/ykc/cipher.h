#pragma once
// Body encryption for YKC frames with the encryption flag 0x01 (notes §3). The public protocol
// defines none of key, mode or padding; this is ChargePlane's convention (docs/ykc.md): DES
// (8-byte key) or 3DES-EDE (16-byte two-key or 24-byte three-key), ECB by default (CBC with an
// all-zero IV as an option), zero padding to a multiple of 8 by default (PKCS#7 as an option).
// With zero padding decrypt() returns the padded plaintext: only the message layer knows the
// body size, so PileCodec trims and checks the padding (codec.h).
//
// `CipherLibrary` owns an OpenSSL 3 library context with the default and legacy providers loaded
// (single DES lives in the legacy provider) and the fetched EVP ciphers; nothing global is
// touched. After create() it is immutable and safe to share between threads. Errors are values:
// bad_key, bad_ciphertext, bad_padding, crypto_unavailable, crypto_failure; key bytes never
// appear in an error or log line.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "protocol/ykc/errors.h"
#include "protocol/ykc/frame.h"

namespace cp::ykc {

enum class CipherAlgorithm : unsigned char { Des, TripleDes };
enum class CipherMode : unsigned char { Ecb, Cbc };  // CBC: all-zero IV, each body on its own
enum class CipherPadding : unsigned char { Zero, Pkcs7 };

struct CipherProfile {
  CipherAlgorithm algorithm = CipherAlgorithm::TripleDes;
  std::vector<std::uint8_t> key;  // 8 (DES), 16 or 24 (3DES)
  CipherMode mode = CipherMode::Ecb;
  CipherPadding padding = CipherPadding::Zero;
};

// Checks the key length against the algorithm (bad_key).
Result<void, CodecError> validate(const CipherProfile& profile);

class CipherLibrary {
 public:
  // Loads the providers; fails with crypto_unavailable if even the default provider is missing.
  // A missing legacy provider is not fatal: single DES then fails per call with crypto_unavailable.
  static Result<std::unique_ptr<CipherLibrary>, CodecError> create();
  ~CipherLibrary();
  CipherLibrary(const CipherLibrary&) = delete;
  CipherLibrary& operator=(const CipherLibrary&) = delete;

  bool supports(CipherAlgorithm algorithm) const;
  Result<Bytes, CodecError> encrypt(const CipherProfile& profile, std::span<const std::uint8_t> plain) const;
  Result<Bytes, CodecError> decrypt(const CipherProfile& profile, std::span<const std::uint8_t> cipher) const;

 private:
  struct Impl;
  explicit CipherLibrary(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Parsing for configuration and key files: "none"/"des"/"3des"; key as hex (16/32/48 digits).
std::string_view cipher_name(CipherAlgorithm algorithm);

}  // namespace cp::ykc
