#include "integration/support/ykc_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace cp::testing {

YkcClient::YkcClient(unsigned short port, std::string cipher, std::string key_hex) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("YkcClient: cannot connect to port " + std::to_string(port));
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::optional<ykc::CipherProfile> profile;
  if (cipher != "none") {
    auto lib = ykc::CipherLibrary::create();
    if (!lib) throw std::runtime_error("YkcClient: no cipher library");
    ciphers_ = std::move(*lib);
    profile = ykc::CipherProfile{};
    profile->algorithm = cipher == "des" ? ykc::CipherAlgorithm::Des : ykc::CipherAlgorithm::TripleDes;
    auto key = ykc::from_hex(key_hex);
    if (!key) throw std::runtime_error("YkcClient: bad key hex");
    profile->key = *key;
    encrypted_ = true;
  }
  codec_ = std::make_unique<ykc::PileCodec>(ciphers_.get(), ykc::Options{}, std::move(profile));
}

YkcClient::~YkcClient() {
  if (fd_ >= 0) ::close(fd_);
}

void YkcClient::send_bytes(const ykc::Bytes& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const auto n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server closed: the test's reads will tell
    off += static_cast<std::size_t>(n);
  }
}

ykc::Bytes YkcClient::send(const ykc::Message& m, std::optional<bool> encrypt) {
  auto bytes = codec_->encode_request(m, encrypt.value_or(encrypted_ && !std::holds_alternative<ykc::Login>(m)));
  if (!bytes) throw std::runtime_error("YkcClient: encode failed: " + bytes.error().detail);
  send_bytes(*bytes);
  return *bytes;
}

ykc::Bytes YkcClient::send_with_seq(const ykc::Message& m, std::uint16_t seq, std::optional<bool> encrypt) {
  auto bytes = codec_->encode(m, ykc::make_seq(seq), encrypt.value_or(encrypted_ && !std::holds_alternative<ykc::Login>(m)));
  if (!bytes) throw std::runtime_error("YkcClient: encode failed: " + bytes.error().detail);
  send_bytes(*bytes);
  return *bytes;
}

std::optional<ykc::DecodedFrame> YkcClient::read(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    while (auto next = assembler_.next()) {
      if (!*next) continue;  // the server never sends garbage; tests check its frames decode
      last_raw_ = next->value();
      auto decoded = codec_->decode(next->value());
      if (!decoded) {  // e.g. a pile holding the wrong key: what it cannot read, it skips
        ++undecodable_;
        continue;
      }
      return std::move(*decoded);
    }
    if (closed_) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    std::uint8_t buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      continue;
    }
    (void)assembler_.feed({buf, static_cast<std::size_t>(n)});
  }
}

std::optional<ykc::DecodedFrame> YkcClient::read_type(std::uint8_t type, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    auto f = read(left);
    if (!f) return std::nullopt;
    if (ykc::type_of(f->message) == type) return f;
  }
}

bool YkcClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!closed_) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    std::uint8_t buf[4096];
    const auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) closed_ = true;
  }
  return true;
}

int YkcClient::login(const std::string& pile, std::uint8_t pile_type, std::uint8_t guns) {
  ykc::Login l;
  l.pile = pile;
  l.pile_type = pile_type;
  l.gun_count = guns;
  l.firmware = "V1.0.0";
  l.sim = std::string(20, '0');
  send(l, false);
  auto reply = read_type(ykc::LoginReply::kType);
  if (!reply) return -1;
  return std::get<ykc::LoginReply>(reply->message).result;
}

}  // namespace cp::testing
