#include "protocol/ykc/assembler.h"

#include <gtest/gtest.h>

#include "unit/protocol/ykc/golden.h"

namespace cp::ykc {
namespace {

using test::hex;
using test::load_golden;

struct Drained {
  std::vector<Frame> frames;
  std::vector<CodecError> errors;
};

Drained drain(FrameAssembler& a) {
  Drained d;
  while (auto r = a.next()) {
    if (r->ok()) d.frames.push_back(std::move(r->value()));
    else d.errors.push_back(r->error());
  }
  return d;
}

Drained feed_all(FrameAssembler& a, std::span<const std::uint8_t> bytes) {
  EXPECT_TRUE(a.feed(bytes).ok());
  return drain(a);
}

TEST(YkcAssembler, SplitsEveryGoldenFrameAtEveryByteBoundary) {
  for (const auto& g : load_golden()) {
    for (std::size_t cut = 0; cut <= g.bytes.size(); ++cut) {
      FrameAssembler a;
      auto first = feed_all(a, std::span(g.bytes).first(cut));
      auto second = feed_all(a, std::span(g.bytes).subspan(cut));
      ASSERT_TRUE(first.errors.empty() && second.errors.empty()) << g.name << " cut " << cut;
      ASSERT_EQ(first.frames.size() + second.frames.size(), 1u) << g.name << " cut " << cut;
      const auto& f = first.frames.empty() ? second.frames[0] : first.frames[0];
      EXPECT_EQ(f.type, g.type) << g.name;
      EXPECT_EQ(encode_frame(f).value(), g.bytes) << g.name;
      EXPECT_EQ(a.buffered(), 0u);
    }
  }
}

TEST(YkcAssembler, DeliversFramesFedOneByteAtATime) {
  const auto golden = load_golden();
  FrameAssembler a;
  std::size_t frames = 0;
  for (const auto& g : golden)
    for (auto b : g.bytes) frames += feed_all(a, std::span(&b, 1)).frames.size();
  EXPECT_EQ(frames, golden.size());
}

TEST(YkcAssembler, DeliversSeveralFramesFromOneRead) {
  const auto golden = load_golden();
  Bytes all;
  for (const auto& g : golden) all.insert(all.end(), g.bytes.begin(), g.bytes.end());
  // And the concatenation split at every boundary into two reads.
  for (std::size_t cut = 0; cut <= all.size(); cut += 7) {
    FrameAssembler a;
    auto d1 = feed_all(a, std::span(all).first(cut));
    auto d2 = feed_all(a, std::span(all).subspan(cut));
    ASSERT_TRUE(d1.errors.empty() && d2.errors.empty()) << "cut " << cut;
    d1.frames.insert(d1.frames.end(), d2.frames.begin(), d2.frames.end());
    ASSERT_EQ(d1.frames.size(), golden.size());
    for (std::size_t i = 0; i < golden.size(); ++i) EXPECT_EQ(d1.frames[i].type, golden[i].type);
  }
}

TEST(YkcAssembler, SkipsGarbageBeforeAStartByteAndReportsItOnce) {
  FrameAssembler a;
  auto bytes = hex("00 11 22 33 68 0C 08 00 00 36 32 01 06 00 01 92 36 01 1E 66");
  auto d = feed_all(a, bytes);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].code, Errc::garbage);
  EXPECT_EQ(d.errors[0].bytes, 4u);
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(d.frames[0].type, 0x36);
}

TEST(YkcAssembler, ResynchronisesAfterABadCrc) {
  FrameAssembler a;
  auto bytes = hex("68 0C 08 00 00 36 32 01 06 00 01 92 36 01 1E 67"   // CRC damaged
                   "68 0C 09 00 00 92 32 01 06 00 01 92 36 01 29 62");  // good
  auto d = feed_all(a, bytes);
  ASSERT_FALSE(d.errors.empty());
  EXPECT_EQ(d.errors[0].code, Errc::bad_crc);
  for (std::size_t i = 1; i < d.errors.size(); ++i) EXPECT_EQ(d.errors[i].code, Errc::garbage);
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(d.frames[0].type, 0x92);
}

TEST(YkcAssembler, RejectsLengthBelowFourWithoutWaiting) {
  FrameAssembler a;
  auto d = feed_all(a, hex("68 02 68 0C 09 00 00 92 32 01 06 00 01 92 36 01 29 62"));
  ASSERT_GE(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].code, Errc::bad_length);
  ASSERT_EQ(d.frames.size(), 1u);
}

TEST(YkcAssembler, RejectsOversizedLengthWithoutWaitingForTheBody) {
  FrameAssembler a(AssemblerLimits{.max_frame_bytes = 64, .max_buffer_bytes = 1024});
  auto d = feed_all(a, hex("68 FF 01 02 68 0C 09 00 00 92 32 01 06 00 01 92 36 01 29 62"));
  ASSERT_GE(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].code, Errc::oversized);
  ASSERT_EQ(d.frames.size(), 1u);
  EXPECT_EQ(d.frames[0].type, 0x92);
}

TEST(YkcAssembler, WaitsForTheRestOfATruncatedFrameAndReportsItAtTheEnd) {
  FrameAssembler a;
  auto d = feed_all(a, hex("68 0C 09 00 00 92 32 01"));
  EXPECT_TRUE(d.frames.empty());
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(a.buffered(), 8u);
  auto end = a.finish();
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->code, Errc::truncated);
  EXPECT_EQ(end->bytes, 8u);
  EXPECT_EQ(a.buffered(), 0u);
  EXPECT_FALSE(a.finish().has_value());
}

TEST(YkcAssembler, RefusesInputBeyondItsBufferLimit) {
  FrameAssembler a(AssemblerLimits{.max_frame_bytes = 256, .max_buffer_bytes = 300});
  Bytes partial = hex("68 F0");
  partial.resize(200, 0x00);
  ASSERT_TRUE(a.feed(partial).ok());
  EXPECT_FALSE(a.next().has_value());  // waiting for 244 bytes
  Bytes more(150, 0x00);
  auto r = a.feed(more);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::buffer_full);
  EXPECT_EQ(a.buffered(), 200u);
}

TEST(YkcAssembler, BufferStaysBoundedUnderAContinuousStream) {
  const auto golden = load_golden();
  FrameAssembler a(AssemblerLimits{.max_frame_bytes = kDefaultMaxFrameBytes, .max_buffer_bytes = 4096});
  std::size_t frames = 0;
  for (int round = 0; round < 200; ++round)
    for (const auto& g : golden) {
      ASSERT_TRUE(a.feed(g.bytes).ok());
      frames += drain(a).frames.size();
      ASSERT_LE(a.buffered(), kDefaultMaxFrameBytes);
    }
  EXPECT_EQ(frames, golden.size() * 200);
}

}  // namespace
}  // namespace cp::ykc
