#pragma once
// Stream reassembly of YKC frames from TCP reads (notes §6 "framing/resync").
// feed() appends received bytes; next() pops one event at a time: a verified Frame, or a
// CodecError describing bytes it discarded — garbage (bytes before a 0x68), bad_length (L < 4),
// oversized (L + 4 > max_frame_bytes) or bad_crc (neither byte order verifies); after one of the
// last three it drops the start byte and rescans. nullopt means "need more bytes". Frames split
// across reads and several frames per read are both fine. The buffer never holds more than
// `max_buffer_bytes`: feed() refuses (buffer_full) input that would exceed it, so a caller that
// drains next() after each read never sees that. finish() reports a truncated trailing frame when
// the connection ends. Not thread-safe (one per connection, used on its strand); no I/O.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/result.h"
#include "protocol/ykc/frame.h"

namespace cp::ykc {

struct AssemblerLimits {
  std::size_t max_frame_bytes = kDefaultMaxFrameBytes;  // whole frame, L + 4
  std::size_t max_buffer_bytes = 64 * 1024;
};

class FrameAssembler {
 public:
  explicit FrameAssembler(AssemblerLimits limits = {});

  // Appends `bytes`; on buffer_full nothing is appended (the caller should drop the peer).
  Result<void, CodecError> feed(std::span<const std::uint8_t> bytes);
  // The next frame or framing error, or nullopt when more input is needed.
  std::optional<Result<Frame, CodecError>> next();
  // At end of stream: truncated (with the number of bytes) if anything is still buffered (call
  // after draining next()); clears the buffer.
  std::optional<CodecError> finish();

  std::size_t buffered() const { return buf_.size() - pos_; }
  const AssemblerLimits& limits() const { return limits_; }

 private:
  void compact();
  AssemblerLimits limits_;
  Bytes buf_;
  std::size_t pos_ = 0;  // first unconsumed byte
};

}  // namespace cp::ykc
