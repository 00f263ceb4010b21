#pragma once
// YKC pile simulator: N piles speaking the YKC binary protocol over TCP (clear, DES or 3DES
// bodies) against `chargeplane serve --listen-ykc`. Each pile is a pure `YkcPile` state machine
// (sim/detail/ykc_pile.h: login, billing model, heartbeats, real-time data and BMS frames during
// charging sessions on the shared charging curve, transaction records resent until confirmed,
// answers to the platform's commands) driven by one TCP connection on its own strand, with a
// FrameAssembler and a PileCodec (protocol/ykc). Pile numbers are 14 digits, counting up from
// `first_pile`. Reconnects with the OCPP simulator's back-off after a close, a refused login,
// lost heartbeats or a reboot command.
// Threads: one io_context run by `threads` threads. Errors: bad options are returned before any
// socket is opened; network and protocol trouble is counted in YkcSimStats and retried.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "protocol/ykc/cipher.h"
#include "protocol/ykc/options.h"
#include "sim/detail/backoff.h"

namespace cp::sim {

struct YkcSimOptions {
  std::string host = "127.0.0.1";
  std::string port = "8767";
  int piles = 1;
  std::string first_pile = "32010600000001";  // 14 digits; the next piles count up
  int guns = 2;
  bool dc = true;
  std::string encryption = "none";             // none | des | 3des
  std::vector<std::uint8_t> key;               // 8 (des) or 16/24 (3des) bytes, same for every pile
  ykc::Options options;                        // per-pile variants (the platform must be told the same)
  // Physical cards (16 hex digits) the drivers present in 0x31; with --api they are created as
  // Accepted id tags (the gateway authorises a card by its hex digits).
  std::vector<std::string> cards{"000000005D000001", "000000005D000002", "000000005D000003"};
  std::chrono::seconds heartbeat{10};
  std::chrono::seconds realtime_interval{15};  // while charging (notes §6)
  std::chrono::seconds idle_interval{300};     // while idle
  int session_samples_min = 10;
  int session_samples_max = 60;
  std::chrono::seconds idle_gap_min{5};
  std::chrono::seconds idle_gap_max{60};
  std::chrono::seconds duration{0};            // 0: until SIGINT/SIGTERM or stop()
  int threads = 1;
  double connect_rate = 0;                     // new connections per second; 0 = all at once
  std::uint64_t seed = 1;
  BackoffPolicy backoff;
  std::chrono::seconds stats_interval{10};
};

// The pile numbers the options describe, or why they are unusable.
Result<std::vector<std::string>> ykc_pile_numbers(const YkcSimOptions& opts);
// The cipher profile the options describe (nullopt for "none"), or bad encryption/key.
Result<std::optional<ykc::CipherProfile>> ykc_cipher_profile(const YkcSimOptions& opts);
// Reads a key file: hex digits (whitespace and '#' comment lines ignored), 8, 16 or 24 bytes.
Result<std::vector<std::uint8_t>> read_key_file(const std::string& path);

struct YkcSimStats {
  std::int64_t piles = 0;
  std::int64_t connected = 0;
  std::int64_t logged_in = 0;
  std::uint64_t connects = 0, connect_failures = 0, disconnects = 0, login_refused = 0;
  std::uint64_t frames_sent = 0, frames_received = 0, frame_errors = 0;
  std::uint64_t realtime = 0, sessions_started = 0, sessions_stopped = 0;
  std::uint64_t records_sent = 0, records_resent = 0, records_confirmed = 0, commands = 0;
  std::uint64_t parallel_starts = 0;  // V1.6 dual-gun sessions asked for with 0xA1
};
std::string format_stats(const YkcSimStats& s);

class YkcSimulator {
 public:
  explicit YkcSimulator(YkcSimOptions opts);
  ~YkcSimulator();
  YkcSimulator(const YkcSimulator&) = delete;
  YkcSimulator& operator=(const YkcSimulator&) = delete;

  Status run();   // blocks until duration, SIGINT/SIGTERM or stop()
  void stop();    // thread-safe
  YkcSimStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

int run_ykc_simulator(const YkcSimOptions& opts);

}  // namespace cp::sim
