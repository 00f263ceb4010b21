#include "protocol/ykc/codec.h"

#include <algorithm>

#include <fmt/format.h>

namespace cp::ykc {

PileCodec::PileCodec(const CipherLibrary* ciphers, Options options, std::optional<CipherProfile> cipher)
    : ciphers_(ciphers), options_(options), cipher_(std::move(cipher)) {}

void PileCodec::observe(const Frame& frame) {
  if (!learned_crc_) learned_crc_ = frame.crc_order;
}

CrcOrder PileCodec::send_crc_order() const {
  switch (options_.crc_byte_order) {
    case CrcByteOrder::Little: return CrcOrder::LowFirst;
    case CrcByteOrder::Big: return CrcOrder::HighFirst;
    case CrcByteOrder::Auto: break;
  }
  return learned_crc_.value_or(CrcOrder::LowFirst);
}

Result<Bytes, CodecError> PileCodec::encrypt_body(std::span<const std::uint8_t> plain) const {
  if (!cipher_ || !ciphers_) return fail(CodecError{Errc::no_cipher, "pile has no cipher profile"});
  return ciphers_->encrypt(*cipher_, plain);
}

Result<Bytes, CodecError> PileCodec::decrypt_body(std::uint8_t type, std::span<const std::uint8_t> cipher) const {
  if (!cipher_ || !ciphers_) return fail(CodecError{Errc::no_cipher, "encrypted frame from a pile without a cipher profile"});
  auto plain = ciphers_->decrypt(*cipher_, cipher);
  if (!plain) return plain;
  if (cipher_->padding == CipherPadding::Pkcs7) return plain;
  // Zero padding: the layout says where the body ends; the rest must be fewer than 8 zero bytes.
  auto size = plain_body_size(type, *plain);
  if (!size) return fail(std::move(size.error()));
  const std::size_t n = *size;
  if (n > plain->size()) return plain;  // decode_body reports short_body
  const std::size_t pad = plain->size() - n;
  if (pad >= 8 || std::any_of(plain->begin() + static_cast<std::ptrdiff_t>(n), plain->end(), [](std::uint8_t b) { return b != 0; }))
    return fail(CodecError{Errc::bad_padding,
                           fmt::format("type 0x{:02X}: {} bytes after a {}-byte body are not zero padding (wrong key?)", type, pad, n)});
  plain->resize(n);
  return plain;
}

Result<DecodedFrame, CodecError> PileCodec::decode(const Frame& frame) const {
  DecodedFrame out;
  out.seq = frame.seq;
  if (frame.encryption == kFlagClear) {
    auto m = decode_body(frame.type, frame.body, options_);
    if (!m) return fail(std::move(m.error()));
    out.message = std::move(*m);
    return out;
  }
  if (frame.encryption != kFlagEncrypted)
    return fail(CodecError{Errc::unexpected_encryption, fmt::format("encryption flag 0x{:02X}", frame.encryption)});
  if (!is_known_type(frame.type))
    return fail(CodecError{Errc::unknown_type, fmt::format("type 0x{:02X} is not in the catalogue", frame.type)});
  auto plain = decrypt_body(frame.type, frame.body);
  if (!plain) return fail(std::move(plain.error()));
  auto m = decode_body(frame.type, *plain, options_);
  if (!m) return fail(std::move(m.error()));
  out.encrypted = true;
  out.message = std::move(*m);
  return out;
}

Result<Bytes, CodecError> PileCodec::encode(const Message& message, const Seq& seq, bool encrypt) const {
  auto body = encode_body(message, options_);
  if (!body) return body;
  Frame f;
  f.seq = seq;
  f.type = type_of(message);
  f.crc_order = send_crc_order();
  if (encrypt) {
    auto c = encrypt_body(*body);
    if (!c) return c;
    f.body = std::move(*c);
    f.encryption = kFlagEncrypted;
  } else {
    f.body = std::move(*body);
  }
  return encode_frame(f);
}

Result<Bytes, CodecError> PileCodec::encode_reply(const Message& message, const Seq& request_seq, bool encrypt) const {
  return encode(message, request_seq, encrypt);
}

Result<Bytes, CodecError> PileCodec::encode_request(const Message& message, bool encrypt) {
  auto r = encode(message, make_seq(counter_, options_.seq_byte_order), encrypt);
  if (r) ++counter_;  // wraps at 0xFFFF -> 0 (§1.2)
  return r;
}

}  // namespace cp::ykc
