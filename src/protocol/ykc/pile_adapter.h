#pragma once
// PileAdapter — the platform side of one YKC pile connection, without I/O (DESIGN.md §1: the
// pure adapter between the codec and the services). The gateway session feeds it the bytes it
// reads and gives it callbacks to write bytes, close, and look piles up; everything else is here:
//
// * Framing: the codec's stream assembler (split frames, several per read, garbage before 0x68);
//   bad CRC / bad length / oversized input is counted, logged and skipped, never fatal.
// * Login (0x01 → 0x02): the pile number must be registered as a ykc pile and not Rejected, else
//   the failure reply is sent and the connection closed. Frames before login are refused (counted,
//   logged, no reply). Clear login, then per-pile encryption: a pile registered with a cipher must
//   send every later frame with the encryption flag and its key; a clear frame, a frame that does
//   not decrypt or a wrong key is counted and dropped (YKC notes §3). Replies to such a pile are
//   encrypted.
// * Sequence numbers are opaque (notes §1.2): replies echo the request's bytes; a repeated or
//   backwards number from the pile is counted and logged, never refused.
// * Frames → domain events (PileEventSink): login → booted; heartbeat → heartbeat + 0x04; real-time
//   data (0x13) → connector status (+ fault info) and telemetry under the OCPP measurand names;
//   BMS frames → telemetry; transaction record (0x3B) → transaction recorded, its confirmation
//   0x40 sent only after the sink says it is durable; billing model 0x05/0x09 → 0x06/0x0A from the
//   pile's settings; time sync 0x56 after login. Unknown types are counted and logged.
// * Commands (command_map.h): one at a time; the pile's answer completes the observer.
//
// Threads: not thread-safe; call everything on the session's strand. Sink callbacks come back
// through `post`, which must run them on that strand (and drop them once the session is gone).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"
#include "domain/commands.h"
#include "domain/sink.h"
#include "protocol/ykc/errors.h"
#include "protocol/ykc/pile_settings.h"

namespace cp::ykc {

class CipherLibrary;

// What the registry knows about a pile number (the gateway fills it from services).
struct PileProfile {
  std::string protocol;      // must be "ykc"
  std::string registration;  // Accepted | Pending | Rejected
  std::string cipher = "none";
  std::string key;           // raw key bytes; never logged
  PileSettings settings;
};

struct AdapterHooks {
  std::function<void(std::string bytes)> send;
  std::function<void(std::function<void()>)> post;  // run on the session's strand, if still open
  std::function<void(const std::string& reason)> close;  // after what was sent is flushed
  std::function<bool()> admit_frame;                     // per-connection flood limit
  std::function<void(const std::string& pile)> logged_in;
  std::function<Result<std::optional<PileProfile>>(const std::string& pile)> lookup;
};

// What became of a received frame (metric chargeplane_ykc_frames_total{type,result}).
enum class FrameResult : unsigned char {
  Ok,            // decoded and handled
  BeforeLogin,   // refused: no successful login yet
  NotEncrypted,  // refused: clear frame from a pile registered for encryption
  CryptoError,   // refused: would not decrypt (wrong key, bad padding, no cipher)
  DecodeError,   // refused: body does not fit the type's layout (bad BCD, wrong length, ...)
  Unknown,       // type not in the catalogue, or one the platform does not handle
  Count
};
const char* to_string(FrameResult r);

// Shared by every connection of a listener: the cipher library (may be null: encrypted piles
// then fail with crypto errors) and the metric series, looked up once.
class AdapterShared {
 public:
  AdapterShared(Metrics& metrics, const CipherLibrary* ciphers, std::size_t max_frame_bytes);
  ~AdapterShared();
  const CipherLibrary* ciphers() const { return ciphers_; }
  std::size_t max_frame_bytes() const { return max_frame_bytes_; }
  Counter& frame(std::uint8_t type, FrameResult result);  // chargeplane_ykc_frames_total
  Counter& error(Errc code);                               // chargeplane_ykc_frame_errors_total{error}
  Counter& login(const char* result);                      // chargeplane_ykc_logins_total{result}
  Counter& sequence(const char* kind);                     // chargeplane_ykc_sequence_anomalies_total{kind}
  Counter& command(const char* type, const char* outcome); // chargeplane_ykc_commands_total

 private:
  struct Series;
  Metrics& metrics_;
  const CipherLibrary* ciphers_;
  std::size_t max_frame_bytes_;
  std::unique_ptr<Series> series_;
};

class PileAdapter {
 public:
  PileAdapter(domain::PileEventSink& sink, const Clock& clock, AdapterShared& shared, AdapterHooks hooks);
  ~PileAdapter();
  PileAdapter(const PileAdapter&) = delete;
  PileAdapter& operator=(const PileAdapter&) = delete;

  void on_bytes(std::string_view data);
  bool logged_in() const;
  const std::string& pile() const;  // "" before login

  // Runs one command (the session runs one at a time). `observer.done` is called exactly once:
  // with the pile's answer, "NotSupported"/"InvalidRequest" at once when YKC cannot carry it,
  // "Timeout" after on_command_timeout(), "Offline" after on_closed().
  void run_command(domain::Command command, domain::CommandObserver observer);
  bool command_waiting() const;  // a command waits for the pile's answer (arm the timer)
  void on_command_timeout();
  void on_closed();

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace cp::ykc
