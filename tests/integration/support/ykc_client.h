#pragma once
// Test support: a blocking YKC pile over a plain TCP socket, built on the real codec
// (protocol/ykc), for the integration tests of the YKC gateway.
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "protocol/ykc/assembler.h"
#include "protocol/ykc/cipher.h"
#include "protocol/ykc/codec.h"

namespace cp::testing {

class YkcClient {
 public:
  // Connects to 127.0.0.1:port. `cipher`: "none", "des" or "3des" with `key_hex`.
  explicit YkcClient(unsigned short port, std::string cipher = "none", std::string key_hex = {});
  ~YkcClient();

  void send_bytes(const ykc::Bytes& bytes);
  // Encodes as the pile would (its own counter); `encrypt` defaults to whether a cipher is set.
  ykc::Bytes send(const ykc::Message& m, std::optional<bool> encrypt = std::nullopt);
  ykc::Bytes send_with_seq(const ykc::Message& m, std::uint16_t seq, std::optional<bool> encrypt = std::nullopt);
  // Next frame from the platform, decoded (decrypted when flagged); nullopt on timeout or close.
  std::optional<ykc::DecodedFrame> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // The next frame of `type`, skipping others (e.g. the clock sync after login).
  std::optional<ykc::DecodedFrame> read_type(std::uint8_t type, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True when the server closes the connection within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Login; returns the 0x02 result byte (0 success) or -1 when no reply came.
  int login(const std::string& pile, std::uint8_t pile_type = 0, std::uint8_t guns = 2);
  ykc::PileCodec& codec() { return *codec_; }
  std::optional<ykc::Frame> last_raw() const { return last_raw_; }
  int undecodable() const { return undecodable_; }  // frames from the server this pile could not decode

 private:
  int fd_ = -1;
  std::unique_ptr<ykc::CipherLibrary> ciphers_;
  std::unique_ptr<ykc::PileCodec> codec_;
  ykc::FrameAssembler assembler_;
  bool encrypted_ = false;
  bool closed_ = false;
  int undecodable_ = 0;
  std::optional<ykc::Frame> last_raw_;
};

}  // namespace cp::testing
