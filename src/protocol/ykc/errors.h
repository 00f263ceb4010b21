#pragma once
// YKC codec error vocabulary. Every decode/encode/crypto step of src/protocol/ykc returns a
// `Result<T, CodecError>`; `code` is stable and maps one-to-one to a metrics counter and a log
// line in the gateway (name via `errc_name`, e.g. "bad_crc"). `detail` is for humans and never
// contains key material or decrypted bytes. Pure values, no I/O.
#include <cstddef>
#include <string>
#include <string_view>

namespace cp::ykc {

enum class Errc : unsigned char {
  // framing (FrameAssembler / decode_frame)
  garbage,          // bytes before a 0x68 start byte were skipped (`bytes` = how many)
  bad_start,        // decode_frame: first byte is not 0x68
  bad_length,       // L < 4 (a frame cannot be shorter than seq + flag + type)
  oversized,        // L + 4 > the configured frame limit
  bad_crc,          // CRC-16/MODBUS matches in neither byte order
  truncated,        // the stream (or decode_frame's input) ended inside a frame
  trailing_bytes,   // decode_frame: bytes after the CRC
  buffer_full,      // FrameAssembler::feed would exceed its buffer limit
  // bodies (decode_body / encode_body)
  unknown_type,     // frame type not in the catalogue (log + count, not fatal)
  wrong_direction,  // e.g. a platform->pile type received from a pile
  unsupported_version,  // V1.6-only frame (0xA1..0xA4) on a V1.5 pile
  short_body,       // body shorter than the type's layout
  long_body,        // body longer than the type's layout
  bad_bcd,          // a BCD nibble > 9
  bad_value,        // a value the layout cannot carry (encode) or a list count out of range
  body_too_large,   // encode: body would make L exceed 255
  // encryption (CipherLibrary / PileCodec)
  no_cipher,        // flag 0x01 but no cipher profile for the pile
  bad_key,          // key length does not fit the algorithm
  bad_ciphertext,   // ciphertext length not a multiple of the block size
  bad_padding,      // padding check failed after decryption (typically: wrong key)
  crypto_unavailable,  // OpenSSL could not provide the algorithm (e.g. legacy provider missing)
  crypto_failure,   // any other OpenSSL failure
  unexpected_encryption,  // flag value other than 0x00/0x01
};
inline constexpr std::size_t kErrcCount = 23;

std::string_view errc_name(Errc code);

struct CodecError {
  Errc code = Errc::bad_value;
  std::string detail;     // e.g. "0x13: field 'pile' byte 3 nibble 0xA"
  std::size_t bytes = 0;  // framing errors: input bytes discarded because of this error
};

}  // namespace cp::ykc
