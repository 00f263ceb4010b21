// PileAdapter, frames from the pile (protocol/ykc/pile_adapter.h). Commands: pile_commands.cpp.
#include "protocol/ykc/pile_adapter.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <mutex>

#include "protocol/ykc/cipher.h"
#include "protocol/ykc/detail/adapter_state.h"
#include "protocol/ykc/event_map.h"
#include "protocol/ykc/units.h"

namespace cp::ykc {
namespace {

constexpr std::size_t kMaxRejectedRaw = 512;  // hex characters kept of a refused frame

bool is_reply_type(std::uint8_t t) {
  switch (t) {
    case 0x33: case 0x35: case 0x41: case 0x43: case 0x45: case 0x47: case 0x51: case 0x55: case 0x57:
    case 0x63: case 0x91: case 0x93: case 0xA3:
      return true;
    default:
      return false;
  }
}

bool is_crypto_error(Errc e) {
  return e == Errc::no_cipher || e == Errc::bad_key || e == Errc::bad_ciphertext || e == Errc::bad_padding ||
         e == Errc::crypto_unavailable || e == Errc::crypto_failure || e == Errc::unexpected_encryption;
}

std::string frame_hex(const Frame& f) {
  Bytes head{kStartByte, static_cast<std::uint8_t>(f.body.size() + 4), f.seq[0], f.seq[1], f.encryption, f.type};
  head.insert(head.end(), f.body.begin(), f.body.end());
  auto hex = to_hex(head);
  if (hex.size() > kMaxRejectedRaw) hex.resize(kMaxRejectedRaw);
  return hex;
}

}  // namespace

const char* to_string(FrameResult r) {
  switch (r) {
    case FrameResult::Ok: return "ok";
    case FrameResult::BeforeLogin: return "before_login";
    case FrameResult::NotEncrypted: return "not_encrypted";
    case FrameResult::CryptoError: return "crypto_error";
    case FrameResult::DecodeError: return "decode_error";
    case FrameResult::Unknown: return "unknown";
    case FrameResult::Count: break;
  }
  return "unknown";
}

// ---- AdapterShared: series looked up once, cached per (type, result) ----
struct AdapterShared::Series {
  std::array<std::array<std::atomic<Counter*>, static_cast<std::size_t>(FrameResult::Count)>, 256> frames{};
  std::array<std::atomic<Counter*>, kErrcCount> errors{};
};

AdapterShared::AdapterShared(Metrics& metrics, const CipherLibrary* ciphers, std::size_t max_frame_bytes)
    : metrics_(metrics), ciphers_(ciphers), max_frame_bytes_(max_frame_bytes), series_(std::make_unique<Series>()) {}
AdapterShared::~AdapterShared() = default;

Counter& AdapterShared::frame(std::uint8_t type, FrameResult result) {
  auto& slot = series_->frames[type][static_cast<std::size_t>(result)];
  if (auto* c = slot.load(std::memory_order_acquire)) return *c;
  auto& c = metrics_.counter("chargeplane_ykc_frames_total", "YKC frames received, by type and what became of them",
                             {{"type", fmt::format("0x{:02X}", type)}, {"result", to_string(result)}});
  slot.store(&c, std::memory_order_release);
  return c;
}

Counter& AdapterShared::error(Errc code) {
  auto& slot = series_->errors[static_cast<std::size_t>(code) % kErrcCount];
  if (auto* c = slot.load(std::memory_order_acquire)) return *c;
  auto& c = metrics_.counter("chargeplane_ykc_frame_errors_total",
                             "YKC input refused by the codec, by error (bad_crc, bad_length, bad_padding, ...)",
                             {{"error", std::string(errc_name(code))}});
  slot.store(&c, std::memory_order_release);
  return c;
}

Counter& AdapterShared::login(const char* result) {
  return metrics_.counter("chargeplane_ykc_logins_total", "YKC login attempts, by result", {{"result", result}});
}
Counter& AdapterShared::sequence(const char* kind) {
  return metrics_.counter("chargeplane_ykc_sequence_anomalies_total",
                          "YKC frames whose sequence number repeats or goes backwards (counted, not refused)",
                          {{"kind", kind}});
}
Counter& AdapterShared::command(const char* type, const char* outcome) {
  return metrics_.counter("chargeplane_ykc_commands_total", "Platform commands sent to YKC piles, by outcome",
                          {{"type", type}, {"outcome", outcome}});
}

// ---- State helpers ----
void PileAdapter::State::send_reply(const Message& m, const Seq& seq) {
  auto bytes = codec.encode_reply(m, seq, encrypted && logged_in);
  if (!bytes) {
    spdlog::error("ykc.encode_failed pile={} type=0x{:02X} error={} detail=\"{}\"", pile, type_of(m),
                  errc_name(bytes.error().code), bytes.error().detail);
    return;
  }
  hooks.send(std::string(bytes->begin(), bytes->end()));
}

void PileAdapter::State::send_request(const Message& m) {
  auto bytes = codec.encode_request(m, encrypted);
  if (!bytes) {
    spdlog::error("ykc.encode_failed pile={} type=0x{:02X} error={} detail=\"{}\"", pile, type_of(m),
                  errc_name(bytes.error().code), bytes.error().detail);
    return;
  }
  hooks.send(std::string(bytes->begin(), bytes->end()));
}

void PileAdapter::State::refuse(const Frame& f, FrameResult result, const std::string& code, const std::string& detail) {
  shared.frame(f.type, result).inc();
  spdlog::warn("ykc.frame_refused pile={} type=0x{:02X} result={} error={} detail=\"{}\"", pile.empty() ? "?" : pile,
               f.type, to_string(result), code, detail);
  sink.frame_rejected({pile.empty() ? "?" : pile, domain::Protocol::Ykc, code, detail, frame_hex(f), clock.now()});
}

void PileAdapter::State::close(const std::string& reason) {
  if (closing) return;
  closing = true;
  hooks.close(reason);
}

// ---- PileAdapter ----
PileAdapter::PileAdapter(domain::PileEventSink& sink, const Clock& clock, AdapterShared& shared, AdapterHooks hooks)
    : s_(std::make_unique<State>(sink, clock, shared, std::move(hooks))) {}
PileAdapter::~PileAdapter() = default;

bool PileAdapter::logged_in() const { return s_->logged_in; }
const std::string& PileAdapter::pile() const { return s_->pile; }

void PileAdapter::on_bytes(std::string_view data) {
  auto& s = *s_;
  if (s.closing) return;
  auto fed = s.assembler.feed({reinterpret_cast<const std::uint8_t*>(data.data()), data.size()});
  if (!fed) {
    s.shared.error(fed.error().code).inc();
    spdlog::warn("ykc.input_refused pile={} error={} detail=\"{}\"", s.pile, errc_name(fed.error().code),
                 fed.error().detail);
    return s.close("input buffer full");
  }
  while (!s.closing) {
    auto next = s.assembler.next();
    if (!next) break;
    if (!*next) {
      const auto& e = next->error();
      s.shared.error(e.code).inc();
      // Garbage is common on noisy links; everything else is a frame the pile meant to send.
      if (e.code == Errc::garbage) {
        spdlog::debug("ykc.garbage_skipped pile={} bytes={}", s.pile, e.bytes);
        continue;
      }
      spdlog::warn("ykc.frame_error pile={} error={} bytes={} detail=\"{}\"", s.pile.empty() ? "?" : s.pile,
                   errc_name(e.code), e.bytes, e.detail);
      s.sink.frame_rejected({s.pile.empty() ? "?" : s.pile, domain::Protocol::Ykc, std::string(errc_name(e.code)),
                             e.detail, "", s.clock.now()});
      continue;
    }
    if (!s.hooks.admit_frame()) return;  // flood: the session closes
    s.on_frame(std::move(next->value()));
  }
}

void PileAdapter::State::on_frame(Frame f) {
  auto& s = *this;
  if (!s.logged_in) {
    if (f.type == Login::kType && !s.login_pending) return s.on_login(std::move(f));
    return s.refuse(f, FrameResult::BeforeLogin, "before_login",
                    s.login_pending ? "frame while the login is being checked" : "the first frame must be a login (0x01)");
  }
  if (s.encrypted && f.encryption == kFlagClear)
    return s.refuse(f, FrameResult::NotEncrypted, "not_encrypted",
                    "this pile is registered for encryption: frames after login must be encrypted");
  if (direction_of(f.type) == Direction::PlatformToPile)
    return s.refuse(f, FrameResult::Unknown, "wrong_direction", fmt::format("type 0x{:02X} travels platform to pile", f.type));
  auto decoded = s.codec.decode(f);
  if (!decoded) {
    const auto& e = decoded.error();
    s.shared.error(e.code).inc();
    const auto result = is_crypto_error(e.code) ? FrameResult::CryptoError
                        : e.code == Errc::unknown_type || e.code == Errc::unsupported_version ? FrameResult::Unknown
                                                                                              : FrameResult::DecodeError;
    return s.refuse(f, result, std::string(errc_name(e.code)), e.detail);
  }
  s.codec.observe(f);
  if (!is_reply_type(f.type)) s.track_sequence(f);
  s.shared.frame(f.type, FrameResult::Ok).inc();
  s.dispatch(decoded->seq, std::move(decoded->message));
}

void PileAdapter::State::track_sequence(const Frame& f) {
  auto& s = *this;
  const auto v = seq_value(f.seq, s.settings.codec.seq_byte_order);
  if (s.last_seq) {
    if (v == *s.last_seq) {
      s.shared.sequence("repeat").inc();
      spdlog::info("ykc.sequence_repeat pile={} type=0x{:02X} seq={} note=\"handled anyway (notes 1.2)\"", s.pile,
                   f.type, v);
      return;
    }
    if (static_cast<std::uint16_t>(v - *s.last_seq) >= 0x8000) {
      s.shared.sequence("backwards").inc();
      spdlog::info("ykc.sequence_backwards pile={} type=0x{:02X} seq={} last={} note=\"handled anyway (notes 1.2)\"",
                   s.pile, f.type, v, *s.last_seq);
      return;
    }
  }
  s.last_seq = v;
}

}  // namespace cp::ykc
