#include "protocol/ykc/assembler.h"

#include <algorithm>

#include <fmt/format.h>

namespace cp::ykc {

FrameAssembler::FrameAssembler(AssemblerLimits limits) : limits_(limits) {
  if (limits_.max_frame_bytes < kMinLength + 4) limits_.max_frame_bytes = kMinLength + 4;
  if (limits_.max_buffer_bytes < limits_.max_frame_bytes) limits_.max_buffer_bytes = limits_.max_frame_bytes;
}

void FrameAssembler::compact() {
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  } else if (pos_ > 4096 || pos_ * 2 > buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(pos_));
    pos_ = 0;
  }
}

Result<void, CodecError> FrameAssembler::feed(std::span<const std::uint8_t> bytes) {
  compact();
  if (buffered() + bytes.size() > limits_.max_buffer_bytes)
    return fail(CodecError{Errc::buffer_full,
                           fmt::format("{} buffered + {} new bytes exceed {}", buffered(), bytes.size(), limits_.max_buffer_bytes),
                           bytes.size()});
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  return {};
}

std::optional<Result<Frame, CodecError>> FrameAssembler::next() {
  const auto begin = buf_.begin() + static_cast<std::ptrdiff_t>(pos_);
  if (begin == buf_.end()) return std::nullopt;
  // Garbage before a start byte is reported once per run, before the frame that follows it.
  const auto start = std::find(begin, buf_.end(), kStartByte);
  if (start != begin) {
    const auto skipped = static_cast<std::size_t>(start - begin);
    pos_ += skipped;
    return Result<Frame, CodecError>(
        fail(CodecError{Errc::garbage, fmt::format("{} bytes before a start byte", skipped), skipped}));
  }
  const std::size_t avail = buffered();
  if (avail < 2) return std::nullopt;
  const std::size_t len = buf_[pos_ + 1];
  // Length checks before waiting for the body, so a bogus L cannot stall the stream.
  if (len < kMinLength || len + 4 > limits_.max_frame_bytes) {
    auto r = decode_frame(std::span(buf_).subspan(pos_, 2), limits_.max_frame_bytes);
    pos_ += 1;
    return Result<Frame, CodecError>(fail(std::move(r.error())));
  }
  const std::size_t total = len + 4;
  if (avail < total) return std::nullopt;
  auto r = decode_frame(std::span(buf_).subspan(pos_, total), limits_.max_frame_bytes);
  pos_ += r.ok() ? total : 1;  // on a bad CRC, rescan from the byte after this start byte
  return r;
}

std::optional<CodecError> FrameAssembler::finish() {
  const std::size_t n = buffered();
  buf_.clear();
  pos_ = 0;
  if (n == 0) return std::nullopt;
  return CodecError{Errc::truncated, fmt::format("stream ended inside a frame ({} bytes buffered)", n), n};
}

}  // namespace cp::ykc
