#pragma once
// GCC 12 flags Asio's awaitable frame allocator as a mismatched new/delete pair when a
// coroutine is inlined (a false positive, GCC PR 109224); it does not apply to our code.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
// The charge point's state and coroutines, shared by charge_point.cpp (connection, CALL
// machinery, lifecycle) and charge_point_session.cpp (charging sessions, server CALLs).
// A pile outlives its connections: connector and meter state persist across reconnects, while
// `Connection` (socket, outbox, CALL in flight, timers) is rebuilt for each connection.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/detail/charge_point.h"
#include "sim/detail/charging_curve.h"
#include "sim/detail/configuration.h"
#include "sim/detail/counters.h"
#include "sim/detail/ocpp_json.h"
#include "sim/simulator.h"

namespace cp::sim::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using Strand = asio::strand<asio::io_context::executor_type>;
using SteadyClock = std::chrono::steady_clock;
template <class T>
using Task = asio::awaitable<T>;

struct ConnectionLost : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Connection {
  explicit Connection(const Strand& s)
      : ws(s), outbox_signal(s), call_timer(s), wake(s), heartbeat(s), trigger_signal(s), boot_wait(s) {}
  void shutdown();

  websocket::stream<beast::tcp_stream> ws;
  bool closed = false;
  bool accepted = false;  // BootNotification answered Accepted on this connection
  std::deque<std::string> outbox;
  asio::steady_timer outbox_signal;
  // The one CALL in flight (OCPP-J 1.6 §4.1.1) and the callers queued behind it.
  bool call_busy = false;
  std::deque<std::shared_ptr<asio::steady_timer>> call_waiters;
  std::string pending_id;
  std::optional<ocpp::Frame> pending_reply;
  asio::steady_timer call_timer;
  asio::steady_timer wake;        // charging loop: something became due early
  asio::steady_timer heartbeat;   // re-armed when HeartbeatInterval changes
  asio::steady_timer trigger_signal;
  asio::steady_timer boot_wait;
};
using ConnPtr = std::shared_ptr<Connection>;

struct Reply {
  bool ok = false;
  json::object payload;       // CALLRESULT payload
  std::string error_code;     // CALLERROR code
};

enum class Phase { Idle, Starting, Charging, Stopping };

// The first period of a charging schedule (OCPP 1.6 §7.13): the simulator honours one limit.
struct ChargingLimit {
  bool amps = true;  // chargingRateUnit A (per phase) or W
  double limit = 0;
};

struct ConnectorSim {
  int id = 0;
  Phase phase = Phase::Idle;
  SteadyClock::time_point due{};
  bool inoperative = false;
  std::optional<bool> pending_inoperative;  // ChangeAvailability answered Scheduled
  std::optional<std::string> remote_id_tag;  // RemoteStartTransaction accepted
  std::optional<std::string> stop_reason;    // a stop has been asked for
  std::optional<ChargingLimit> remote_limit;  // the RemoteStartTransaction's TxProfile, for the next session
  std::optional<ChargingLimit> tx_limit;      // TxProfile of the running session
  double meter_wh = 0;                       // the connector's energy register
  std::optional<ChargingCurve> curve;
  std::int64_t transaction_id = 0;
  std::string id_tag;
  std::string start_timestamp;
  double meter_start_wh = 0;
  int samples_left = 0;
  SteadyClock::time_point last_sample{};
};

// What a server CALL asked the pile to send or do after answering it.
struct FollowUp {
  enum class Kind { Status, Heartbeat, Boot, MeterValues, DiagnosticsStatus, FirmwareStatus } kind;
  int connector = -1;        // -1: every connector including 0
  std::string status = "Idle";  // Diagnostics/FirmwareStatusNotification status
};

class ChargePoint final : public PileHandle, public std::enable_shared_from_this<ChargePoint> {
 public:
  ChargePoint(asio::io_context& ioc, const FleetContext& fleet, PileCredential cred, std::uint64_t seed,
              std::chrono::milliseconds start_delay);
  void start();
  void stop() override;

 private:
  // charge_point.cpp: lifecycle, transport, CALL machinery
  Task<void> run();
  Task<void> connect_and_serve(ConnPtr conn);
  Task<void> guarded(ConnPtr conn, Task<void> body);
  Task<void> read_loop(ConnPtr conn);
  Task<void> write_loop(ConnPtr conn);
  void on_frame(const ConnPtr& conn, std::string_view text);
  void send(const ConnPtr& conn, std::string text);
  Task<Reply> call(ConnPtr conn, std::string action, json::object payload);
  Task<void> sleep_until_woken(asio::steady_timer& t, const ConnPtr& conn);
  void on_connection_lost();

  // charge_point_session.cpp: what the pile says and does
  Task<void> serve(ConnPtr conn);
  Task<void> boot(ConnPtr conn);
  Task<void> heartbeat_loop(ConnPtr conn);
  Task<void> charging_loop(ConnPtr conn);
  Task<void> trigger_loop(ConnPtr conn);
  Task<void> start_session(ConnPtr conn, ConnectorSim& c);
  Task<void> meter_step(ConnPtr conn, ConnectorSim& c);
  Task<void> stop_session(ConnPtr conn, ConnectorSim& c);
  Task<void> status(ConnPtr conn, int connector, std::string status);
  Task<void> send_follow_up(ConnPtr conn, FollowUp f);
  ocpp::Answer answer(const ConnPtr& conn, const std::string& action, const json::object& payload);
  ocpp::Answer answer_remote_start(const ConnPtr& conn, const json::object& payload);
  ocpp::Answer answer_change_availability(const ConnPtr& conn, const json::object& payload);
  ocpp::Answer answer_set_charging_profile(const json::object& payload);
  ocpp::Answer answer_clear_charging_profile(const json::object& payload);
  ocpp::Answer answer_firmware_or_diagnostics(const ConnPtr& conn, const std::string& action, const json::object& payload);
  void apply_power_caps();  // the pile-wide and per-session limits onto the running curves
  void follow_up(const ConnPtr& conn, FollowUp f);
  void wake_now(const ConnPtr& conn, ConnectorSim& c);
  json::object boot_payload() const;
  std::string connector_status(const ConnectorSim& c) const;
  std::chrono::seconds meter_interval() const;
  std::chrono::seconds idle_gap();
  std::string now_rfc3339() const;
  ConnectorSim* connector(int id);

  Strand strand_;
  const FleetContext& fleet_;
  const SimOptions& opts_;
  Counters& counters_;
  PileCredential cred_;
  std::mt19937_64 rng_;
  std::chrono::milliseconds start_delay_;
  asio::steady_timer idle_timer_;  // start delay and reconnect back-off
  bool stopping_ = false;
  bool reboot_pending_ = false;                // reconnect soon, not after back-off
  std::optional<std::string> reboot_requested_;  // "HardReset" / "SoftReset"
  std::uint64_t call_seq_ = 0;
  double ambient_c_;
  Configuration config_;
  std::vector<ConnectorSim> connectors_;
  std::deque<FollowUp> follow_ups_;
  std::optional<ChargingLimit> max_profile_;  // ChargePointMaxProfile (connector 0)
  ConnPtr conn_;
};

}  // namespace cp::sim::detail
