#pragma once
// One pile's YKC codec: frames <-> typed messages with that pile's variants and cipher.
// decode(): checks the flag (0x00 clear, 0x01 encrypted -> no_cipher without a profile,
// unexpected_encryption for other values), decrypts, strips and checks the padding (zero padding:
// the message layout says where the body ends and every byte after it must be zero — a wrong key
// shows up here as bad_padding), then decode_body(). encode(): encode_body(), encrypt on request,
// frame with the CRC byte order the pile uses. It also keeps the platform's sequence counter and
// learns the CRC order (CrcByteOrder::Auto) from the pile's first valid frame (`observe`).
// One per connection, used on its strand; holds a non-owning pointer to the shared CipherLibrary,
// which must outlive it. Never logs; errors are values.
#include <cstdint>
#include <optional>

#include "core/result.h"
#include "protocol/ykc/cipher.h"
#include "protocol/ykc/frame.h"
#include "protocol/ykc/messages.h"
#include "protocol/ykc/options.h"

namespace cp::ykc {

struct DecodedFrame {
  Seq seq{};
  bool encrypted = false;
  Message message;
};

class PileCodec {
 public:
  // `ciphers` may be null when `cipher` is empty (clear-only pile).
  PileCodec(const CipherLibrary* ciphers, Options options, std::optional<CipherProfile> cipher = std::nullopt);

  // Learns the CRC order (Auto) from the first frame seen; call with every verified frame.
  void observe(const Frame& frame);
  Result<DecodedFrame, CodecError> decode(const Frame& frame) const;
  // A reply: echoes `request_seq` verbatim.
  Result<Bytes, CodecError> encode_reply(const Message& message, const Seq& request_seq, bool encrypt) const;
  // A frame we originate: takes the next value of our counter (starts at 0, wraps).
  Result<Bytes, CodecError> encode_request(const Message& message, bool encrypt);
  // Lower level: any sequence bytes, flag per `encrypt`.
  Result<Bytes, CodecError> encode(const Message& message, const Seq& seq, bool encrypt) const;
  // Encrypt/decrypt a body with this pile's profile (no_cipher without one).
  Result<Bytes, CodecError> encrypt_body(std::span<const std::uint8_t> plain) const;
  Result<Bytes, CodecError> decrypt_body(std::uint8_t type, std::span<const std::uint8_t> cipher) const;

  CrcOrder send_crc_order() const;
  bool has_cipher() const { return cipher_.has_value(); }
  const Options& options() const { return options_; }
  Options& options() { return options_; }  // e.g. protocol_version after login

 private:
  const CipherLibrary* ciphers_;
  Options options_;
  std::optional<CipherProfile> cipher_;
  std::optional<CrcOrder> learned_crc_;
  std::uint16_t counter_ = 0;
};

}  // namespace cp::ykc
