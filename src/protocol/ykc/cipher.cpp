#include "protocol/ykc/cipher.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <fmt/format.h>

namespace cp::ykc {

namespace {

constexpr std::size_t kBlock = 8;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

}  // namespace

struct CipherLibrary::Impl {
  OSSL_LIB_CTX* libctx = nullptr;
  OSSL_PROVIDER* default_provider = nullptr;
  OSSL_PROVIDER* legacy_provider = nullptr;
  // [algorithm variant][mode]: DES, DES-EDE (2-key), DES-EDE3 (3-key) x ECB, CBC
  EVP_CIPHER* ciphers[3][2] = {};

  ~Impl() {
    for (auto& row : ciphers)
      for (auto* c : row) EVP_CIPHER_free(c);
    if (legacy_provider) OSSL_PROVIDER_unload(legacy_provider);
    if (default_provider) OSSL_PROVIDER_unload(default_provider);
    if (libctx) OSSL_LIB_CTX_free(libctx);
  }

  const EVP_CIPHER* pick(const CipherProfile& p) const {
    const int row = p.algorithm == CipherAlgorithm::Des ? 0 : p.key.size() == 16 ? 1 : 2;
    return ciphers[row][p.mode == CipherMode::Ecb ? 0 : 1];
  }
};

Result<void, CodecError> validate(const CipherProfile& p) {
  const auto n = p.key.size();
  if (p.algorithm == CipherAlgorithm::Des && n != 8)
    return fail(CodecError{Errc::bad_key, fmt::format("DES needs an 8-byte key, got {} bytes", n)});
  if (p.algorithm == CipherAlgorithm::TripleDes && n != 16 && n != 24)
    return fail(CodecError{Errc::bad_key, fmt::format("3DES needs a 16- or 24-byte key, got {} bytes", n)});
  return {};
}

std::string_view cipher_name(CipherAlgorithm algorithm) {
  return algorithm == CipherAlgorithm::Des ? "des" : "3des";
}

CipherLibrary::CipherLibrary(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CipherLibrary::~CipherLibrary() = default;

Result<std::unique_ptr<CipherLibrary>, CodecError> CipherLibrary::create() {
  auto impl = std::make_unique<Impl>();
  impl->libctx = OSSL_LIB_CTX_new();
  if (!impl->libctx) return fail(CodecError{Errc::crypto_unavailable, "OSSL_LIB_CTX_new failed"});
  impl->default_provider = OSSL_PROVIDER_load(impl->libctx, "default");
  if (!impl->default_provider) return fail(CodecError{Errc::crypto_unavailable, "OpenSSL default provider not available"});
  impl->legacy_provider = OSSL_PROVIDER_load(impl->libctx, "legacy");  // single DES; optional
  static constexpr const char* kNames[3][2] = {
      {"DES-ECB", "DES-CBC"}, {"DES-EDE-ECB", "DES-EDE-CBC"}, {"DES-EDE3-ECB", "DES-EDE3-CBC"}};
  for (int a = 0; a < 3; ++a)
    for (int m = 0; m < 2; ++m) impl->ciphers[a][m] = EVP_CIPHER_fetch(impl->libctx, kNames[a][m], nullptr);
  if (!impl->ciphers[1][0] || !impl->ciphers[2][0])
    return fail(CodecError{Errc::crypto_unavailable, "OpenSSL provides no 3DES"});
  return std::unique_ptr<CipherLibrary>(new CipherLibrary(std::move(impl)));
}

bool CipherLibrary::supports(CipherAlgorithm algorithm) const {
  return algorithm == CipherAlgorithm::Des ? impl_->ciphers[0][0] != nullptr : impl_->ciphers[2][0] != nullptr;
}

namespace {

Result<Bytes, CodecError> run(const EVP_CIPHER* cipher, const CipherProfile& p, std::span<const std::uint8_t> in,
                              bool encrypt) {
  if (auto v = validate(p); !v) return fail(v.error());
  if (!cipher)
    return fail(CodecError{Errc::crypto_unavailable,
                           fmt::format("{} is not available (OpenSSL legacy provider missing?)", cipher_name(p.algorithm))});
  const bool zero = p.padding == CipherPadding::Zero;
  if (!encrypt && (in.empty() || in.size() % kBlock != 0))
    return fail(CodecError{Errc::bad_ciphertext, fmt::format("ciphertext of {} bytes is not a positive multiple of 8", in.size())});
  Bytes src(in.begin(), in.end());
  if (encrypt && zero && src.size() % kBlock != 0) src.resize((src.size() / kBlock + 1) * kBlock, 0);
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  const unsigned char iv[kBlock] = {};
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), cipher, p.key.data(), p.mode == CipherMode::Cbc ? iv : nullptr,
                                 encrypt ? 1 : 0, nullptr) != 1)
    return fail(CodecError{Errc::crypto_failure, "cipher initialisation failed"});
  EVP_CIPHER_CTX_set_padding(ctx.get(), zero ? 0 : 1);
  Bytes out(src.size() + kBlock);
  int n1 = 0, n2 = 0;
  if (EVP_CipherUpdate(ctx.get(), out.data(), &n1, src.data(), static_cast<int>(src.size())) != 1)
    return fail(CodecError{Errc::crypto_failure, "cipher update failed"});
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + n1, &n2) != 1)
    return fail(CodecError{encrypt ? Errc::crypto_failure : Errc::bad_padding,
                           encrypt ? "cipher finalisation failed" : "PKCS#7 padding check failed (wrong key?)"});
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

}  // namespace

Result<Bytes, CodecError> CipherLibrary::encrypt(const CipherProfile& p, std::span<const std::uint8_t> plain) const {
  if (auto v = validate(p); !v) return fail(v.error());
  return run(impl_->pick(p), p, plain, true);
}

Result<Bytes, CodecError> CipherLibrary::decrypt(const CipherProfile& p, std::span<const std::uint8_t> cipher) const {
  if (auto v = validate(p); !v) return fail(v.error());
  return run(impl_->pick(p), p, cipher, false);
}

}  // namespace cp::ykc
