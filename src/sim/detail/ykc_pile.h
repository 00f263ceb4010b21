#pragma once
// One simulated YKC pile as a pure state machine (no socket, no clock): the I/O layer
// (ykc_simulator.cpp) feeds it connection events, decoded platform messages and the time, and
// writes whatever it returns. Behaviour follows the protocol notes §6: login (clear) -> 0x05
// billing-model check (-> 0x09 when the platform says "mismatch") -> heartbeat per gun every
// `heartbeat` (three unanswered -> reconnect) -> 0x13 every `realtime_idle` / `realtime_charging`
// and on every status change. Sessions start from a card (0x31 -> platform's 0x32 with the
// serial; V1.6 DC piles sometimes start both guns as one parallel session with 0xA1 -> 0xA2)
// or remotely (0x34 -> 0x33; V1.6: 0xA4 per gun -> 0xA3, the first gun of a parallel serial
// answering as master); while charging the gun reports 0x13 plus BMS frames
// (0x15/0x17 at the start, 0x23/0x25 with every 0x13, 0x19 and the 0x1D/0x21 stop reasons at
// the end) on the shared ChargingCurve, billed per tier of its model; the session ends when the
// EV is full, after its planned length, or on 0x36 (-> 0x35); then the 0x3B record is sent and
// resent per Options::record_retry until the 0x40 for its serial arrives (kept across
// reconnects). Commands answered: 0x12, 0x34, 0xA4 (V1.6), 0x36, 0x52 (enable/disable, power cap), 0x56,
// 0x58, 0x92 (reply then reconnect), 0x42, 0x44, 0x46, 0x48, 0x62, 0x94. Thread: whatever
// strand owns it.
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "protocol/ykc/frame.h"
#include "protocol/ykc/messages.h"
#include "protocol/ykc/options.h"
#include "sim/detail/charging_curve.h"

namespace cp::sim {

struct YkcPileConfig {
  std::string pile;                 // 14 digits
  int guns = 2;
  bool dc = true;
  double max_power_w = 60000;       // per gun
  std::uint8_t protocol_version = ykc::kVersion16;
  ykc::Options options;
  std::chrono::milliseconds heartbeat{10000};
  std::chrono::milliseconds realtime_charging{15000};
  std::chrono::milliseconds realtime_idle{300000};
  int session_samples_min = 10;     // 0x13 frames per session (card sessions)
  int session_samples_max = 60;
  std::chrono::milliseconds idle_gap_min{5000};
  std::chrono::milliseconds idle_gap_max{60000};
  std::chrono::milliseconds authorisation_timeout{30000};  // 0x31 without 0x32
  bool card_sessions = true;        // start sessions on its own (card); remote starts always work
  std::vector<ykc::Card> cards{ykc::Card{0, 0, 0, 0, 0x5D, 0, 0, 1}};  // the drivers' cards, picked at random
  // V1.6 DC piles with two or more guns: every Nth card start is a parallel (dual-gun) session,
  // gun 1 master and gun 2 slave, each asking with 0xA1 (0 = never).
  int parallel_every = 4;
  std::uint64_t seed = 1;
};

struct YkcOutgoing {
  ykc::Message message;
  std::optional<ykc::Seq> reply_to;  // echo these sequence bytes; nullopt = our own counter
  bool operator==(const YkcOutgoing&) const = default;
};

struct YkcPileStats {
  std::uint64_t logins = 0, login_refused = 0, heartbeats = 0, heartbeats_missed = 0;
  std::uint64_t realtime = 0, sessions_started = 0, sessions_stopped = 0;
  std::uint64_t records_sent = 0, records_resent = 0, records_confirmed = 0;
  std::uint64_t commands = 0;
  std::uint64_t parallel_starts = 0;  // parallel sessions asked for (two 0xA1 each)
};

class YkcPile {
 public:
  YkcPile(YkcPileConfig config, std::int64_t now_ms);

  // A TCP connection is up: the login.
  std::vector<YkcOutgoing> on_connected(std::int64_t now_ms);
  void on_disconnected();
  std::vector<YkcOutgoing> on_message(const ykc::Message& message, const ykc::Seq& seq, std::int64_t now_ms);
  // Timers: heartbeats, real-time data, session progress, record resends. Call at least every second.
  std::vector<YkcOutgoing> on_tick(std::int64_t now_ms);

  // The pile wants its connection closed (login refused, heartbeat lost, reboot); the I/O layer
  // closes it, calls on_disconnected and reconnects after a back-off.
  bool wants_reconnect() const { return reconnect_; }
  bool logged_in() const { return logged_in_; }
  bool charging(int gun) const;
  std::size_t pending_records() const { return records_.size(); }
  const YkcPileStats& stats() const { return stats_; }
  const YkcPileConfig& config() const { return cfg_; }
  bool disabled() const { return disabled_; }
  int power_percent() const { return power_percent_; }
  std::int64_t clock_offset_ms() const { return clock_offset_ms_; }  // set by 0x56

 private:
  struct Session {
    std::string serial;
    ChargingCurve curve;
    std::int64_t started_ms = 0;
    std::int64_t last_advance_ms = 0;
    int samples_left = 0;
    std::uint8_t start_type = 1;     // 1 app, 2 card
    ykc::Card card{};
    bool stop_requested = false;
    std::uint8_t stop_reason = 0x45;
    std::array<double, 4> tier_wh{};  // energy delivered in each tier (sharp, peak, flat, valley)
    double billed_wh = 0;             // delivered energy already counted in tier_wh
  };
  struct Gun {
    int number = 1;
    std::optional<Session> session;
    std::int64_t next_heartbeat_ms = 0;
    std::int64_t next_realtime_ms = 0;
    std::int64_t next_session_ms = 0;
    std::optional<std::int64_t> awaiting_authorisation_ms;  // 0x31 sent at
    ykc::Card presented_card{};
    int unanswered_heartbeats = 0;
    std::uint8_t last_status = 2;
  };
  struct PendingRecord {
    ykc::TransactionRecord record;
    std::int64_t next_send_ms = 0;
    int resends_left = 0;
    bool sent = false;
  };

  Gun& gun(std::uint8_t number);
  bool known_gun(std::uint8_t number) const { return number >= 1 && number <= cfg_.guns; }
  std::string next_serial(int gun, std::int64_t now_ms);
  std::uint8_t status_of(const Gun& g) const;
  ykc::RealtimeData realtime(const Gun& g) const;
  void start_session(Gun& g, std::string serial, std::uint8_t start_type, const ykc::Card& card, std::int64_t now_ms,
                     std::vector<YkcOutgoing>& out);
  void end_session(Gun& g, std::int64_t now_ms, std::vector<YkcOutgoing>& out);
  void send_records(std::int64_t now_ms, std::vector<YkcOutgoing>& out);
  double power_cap_w() const;
  bool parallel_start_possible(const Gun& g) const;  // g is gun 1 and gun 2 is free
  // Billing: the tier (0 sharp .. 3 valley) of the half-hour slot at the pile's clock, its price
  // (energy + service, ×1e-5 yuan/kWh), the energy delivered since the last call added to the
  // tier of `now_ms`, and the amount so far (×1e-4 yuan).
  std::uint8_t tier_at(std::int64_t now_ms) const;
  std::uint32_t price_of(std::uint8_t tier) const;
  void bill(Session& s, std::int64_t now_ms) const;
  std::uint32_t amount_of(const Session& s) const;
  std::int64_t pile_time(std::int64_t now_ms) const { return now_ms + clock_offset_ms_; }
  std::int64_t uniform_ms(std::chrono::milliseconds lo, std::chrono::milliseconds hi);

  YkcPileConfig cfg_;
  std::vector<Gun> guns_;
  std::deque<PendingRecord> records_;
  std::mt19937_64 rng_;
  std::string billing_model_ = "0000";
  bool has_billing_model_ = false;
  ykc::BillingModel model_{};
  bool logged_in_ = false;
  bool reconnect_ = false;
  bool disabled_ = false;
  int power_percent_ = 100;
  std::int64_t clock_offset_ms_ = 0;
  double meter_wh_ = 0;   // the pile's energy register (shared by its guns, for simplicity per pile)
  std::uint16_t serial_counter_ = 0;
  int card_starts_ = 0;
  std::string remote_parallel_serial_;  // of the last 0xA4: its first gun is the master
  YkcPileStats stats_;
};

}  // namespace cp::sim
