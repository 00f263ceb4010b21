// libFuzzer target for the YKC frame assembler and body decoders (tests/fuzz/README.md).
// The input is a byte stream from a pile. The first byte picks how the stream is cut into reads
// (so reassembly across read boundaries is exercised); every frame the assembler yields is then
// decoded as clear text, and through a PileCodec with a 3DES profile (decryption, padding check,
// decode). Every successfully decoded message is re-encoded and must decode to the same value:
// a crash, a sanitizer report or a failed invariant is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "protocol/ykc/assembler.h"
#include "protocol/ykc/codec.h"
#include "protocol/ykc/faults.h"
#include "protocol/ykc/units.h"

namespace {

using namespace cp::ykc;

const CipherLibrary* ciphers() {
  static const auto lib = [] {
    auto r = CipherLibrary::create();
    if (!r) std::abort();
    return std::move(*r);
  }();
  return lib.get();
}

void check(bool ok) {
  if (!ok) std::abort();
}

void exercise(const Frame& frame, PileCodec& clear, PileCodec& secret) {
  clear.observe(frame);
  for (PileCodec* codec : {&clear, &secret}) {
    auto d = codec->decode(frame);
    if (!d) continue;
    // re-encode (in clear) and decode again: the field tables must agree both ways
    auto bytes = clear.encode_reply(d->message, d->seq, false);
    check(bytes.ok());
    auto again = decode_frame(*bytes);
    check(again.ok());
    auto m = decode_body(again->type, again->body);
    check(m.ok() && *m == d->message);
    if (const auto* rt = std::get_if<RealtimeData>(&d->message)) {
      (void)hardware_faults(rt->hardware_faults, FaultBitNumbering::FromOne);
    } else if (const auto* rec = std::get_if<TransactionRecord>(&d->message)) {
      (void)cp56_to_unix_ms(rec->start);
      (void)stop_reason_name(rec->stop_reason);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  ++data;
  --size;
  FrameAssembler assembler(AssemblerLimits{.max_frame_bytes = kDefaultMaxFrameBytes, .max_buffer_bytes = 1024});
  PileCodec clear(nullptr, Options{});
  PileCodec secret(ciphers(), Options{},
                   CipherProfile{CipherAlgorithm::TripleDes,
                                 {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10}});
  for (std::size_t off = 0; off < size; off += chunk) {
    const std::size_t n = std::min(chunk, size - off);
    check(assembler.feed({data + off, n}).ok());  // drained after every read: never full
    while (auto r = assembler.next()) {
      if (r->ok()) exercise(r->value(), clear, secret);
      else check(r->error().bytes > 0);  // every error consumes input: no endless loop
    }
    check(assembler.buffered() <= kDefaultMaxFrameBytes);
  }
  (void)assembler.finish();
  return 0;
}
