// Charge point lifecycle and transport: connect with Basic auth and subprotocol ocpp1.6,
// run the connection's coroutines until one ends, reconnect with back-off. The CALL machinery
// (one in flight, FIFO queue behind it, timeout) lives here too.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "core/base64.h"
#include "sim/detail/charge_point_impl.h"

namespace cp::sim::detail {

using asio::use_awaitable;
using namespace asio::experimental::awaitable_operators;

namespace {
constexpr std::size_t kMaxIncomingMessage = 1024 * 1024;
constexpr std::chrono::seconds kConnectTimeout{10};
constexpr std::chrono::seconds kRebootDelay{3};
}  // namespace

void Connection::shutdown() {
  if (closed) return;
  closed = true;
  beast::error_code ec;
  beast::get_lowest_layer(ws).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  beast::get_lowest_layer(ws).close();
  outbox_signal.cancel();
  call_timer.cancel();
  wake.cancel();
  heartbeat.cancel();
  trigger_signal.cancel();
  boot_wait.cancel();
  for (auto& w : call_waiters) w->cancel();
}

ChargePoint::ChargePoint(asio::io_context& ioc, const FleetContext& fleet, PileCredential cred, std::uint64_t seed,
                         std::chrono::milliseconds start_delay)
    : strand_(asio::make_strand(ioc)),
      fleet_(fleet),
      opts_(*fleet.options),
      counters_(*fleet.counters),
      cred_(std::move(cred)),
      rng_(seed),
      start_delay_(start_delay),
      idle_timer_(strand_),
      ambient_c_(std::uniform_real_distribution<double>(5, 30)(rng_)),
      config_(fleet.options->connectors, static_cast<int>(fleet.options->heartbeat_interval.count()),
              static_cast<int>(fleet.options->meter_interval.count())) {
  std::uniform_real_distribution<double> meter(0, 5e6);  // piles are not new: 0..5 MWh on the register
  for (int i = 1; i <= opts_.connectors; ++i) {
    ConnectorSim c;
    c.id = i;
    c.meter_wh = std::floor(meter(rng_));
    connectors_.push_back(std::move(c));
  }
}

void ChargePoint::start() {
  asio::co_spawn(strand_, run(), [self = shared_from_this()](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("sim_pile_failed pile={} error={}", self->cred_.id, ex.what());
    }
  });
}

void ChargePoint::stop() {
  asio::post(strand_, [self = shared_from_this()] {
    self->stopping_ = true;
    self->idle_timer_.cancel();
    auto conn = self->conn_;
    if (!conn || conn->closed) return;
    if (!conn->ws.is_open()) {
      conn->shutdown();
      return;
    }
    conn->ws.async_close(websocket::close_code::normal, [conn](beast::error_code) { conn->shutdown(); });
  });
}

Task<void> ChargePoint::run() {
  if (start_delay_.count() > 0) {
    idle_timer_.expires_after(start_delay_);
    beast::error_code ec;
    co_await idle_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  unsigned attempt = 0;
  std::uniform_real_distribution<double> unit(0, 1);
  while (!stopping_) {
    auto conn = std::make_shared<Connection>(strand_);
    conn_ = conn;
    try {
      co_await connect_and_serve(conn);
    } catch (const std::exception& e) {
      spdlog::debug("sim_connection_ended pile={} reason={}", cred_.id, e.what());
    }
    conn->shutdown();
    if (conn->accepted) attempt = 0;
    on_connection_lost();
    if (stopping_) break;
    const auto delay = reboot_pending_ ? std::chrono::duration_cast<std::chrono::milliseconds>(kRebootDelay)
                                       : backoff_delay(opts_.backoff, attempt++, unit(rng_));
    reboot_pending_ = false;
    idle_timer_.expires_after(delay);
    beast::error_code ec;
    co_await idle_timer_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  conn_.reset();
}

// A session interrupted mid-way resumes after reconnecting: a transaction being started is
// abandoned (the server never confirmed it), one being stopped is stopped again.
void ChargePoint::on_connection_lost() {
  const auto now = SteadyClock::now();
  for (auto& c : connectors_) {
    if (c.phase == Phase::Starting) {
      c.phase = Phase::Idle;
      c.curve.reset();
      c.due = now + idle_gap();
    } else if (c.phase == Phase::Stopping) {
      c.phase = Phase::Charging;
      c.due = now;
    }
  }
}

Task<void> ChargePoint::connect_and_serve(ConnPtr conn) {
  const auto& ep = fleet_.endpoint;
  asio::ip::tcp::resolver resolver(strand_);
  auto endpoints = co_await resolver.async_resolve(ep.host, ep.port, use_awaitable);
  auto& tcp = beast::get_lowest_layer(conn->ws);
  tcp.expires_after(kConnectTimeout);
  try {
    co_await tcp.async_connect(endpoints, use_awaitable);
  } catch (const std::exception&) {
    counters_.connect_failures.fetch_add(1, std::memory_order_relaxed);
    throw;
  }
  tcp.expires_never();
  conn->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  const std::string auth = "Basic " + base64_encode(cred_.id + ":" + cred_.password);
  conn->ws.set_option(websocket::stream_base::decorator([auth](websocket::request_type& req) {
    req.set(beast::http::field::authorization, auth);
    req.set(beast::http::field::sec_websocket_protocol, "ocpp1.6");
    req.set(beast::http::field::user_agent, "chargeplane-sim");
  }));
  conn->ws.read_message_max(kMaxIncomingMessage);
  websocket::response_type res;
  try {
    co_await conn->ws.async_handshake(res, ep.host + ":" + ep.port, ep.path + "/" + cred_.id, use_awaitable);
  } catch (const boost::system::system_error& e) {
    counters_.connect_failures.fetch_add(1, std::memory_order_relaxed);
    if (e.code() == websocket::error::upgrade_declined) {  // an HTTP answer other than 101, e.g. 401
      counters_.handshake_rejected.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("sim_handshake_rejected pile={} http_status={}", cred_.id, res.result_int());
    }
    throw;
  }
  if (res[beast::http::field::sec_websocket_protocol] != "ocpp1.6") {
    counters_.connect_failures.fetch_add(1, std::memory_order_relaxed);
    throw ConnectionLost("server did not select subprotocol ocpp1.6");
  }
  conn->ws.text(true);
  counters_.connects.fetch_add(1, std::memory_order_relaxed);
  counters_.connected.fetch_add(1, std::memory_order_relaxed);
  try {
    co_await (guarded(conn, read_loop(conn)) || guarded(conn, write_loop(conn)) || guarded(conn, serve(conn)) ||
              guarded(conn, trigger_loop(conn)));
  } catch (...) {
    counters_.connected.fetch_sub(1, std::memory_order_relaxed);
    counters_.disconnects.fetch_add(1, std::memory_order_relaxed);
    if (conn->accepted) counters_.booted.fetch_sub(1, std::memory_order_relaxed);
    throw;
  }
  counters_.connected.fetch_sub(1, std::memory_order_relaxed);
  counters_.disconnects.fetch_add(1, std::memory_order_relaxed);
  if (conn->accepted) counters_.booted.fetch_sub(1, std::memory_order_relaxed);
}

// Whichever of the connection's coroutines ends first, for whatever reason, takes the
// connection down so that the others end too (closing the socket ends a pending read even
// where an operation does not honour cancellation).
Task<void> ChargePoint::guarded(ConnPtr conn, Task<void> body) {
  try {
    co_await std::move(body);
  } catch (...) {
    conn->shutdown();
    throw;
  }
  conn->shutdown();
}

Task<void> ChargePoint::read_loop(ConnPtr conn) {
  beast::flat_buffer buffer;
  for (;;) {
    buffer.clear();
    co_await conn->ws.async_read(buffer, use_awaitable);
    on_frame(conn, beast::buffers_to_string(buffer.data()));
  }
}

Task<void> ChargePoint::write_loop(ConnPtr conn) {
  for (;;) {
    while (conn->outbox.empty()) {
      conn->outbox_signal.expires_at(SteadyClock::time_point::max());
      co_await sleep_until_woken(conn->outbox_signal, conn);
    }
    std::string text = std::move(conn->outbox.front());
    conn->outbox.pop_front();
    co_await conn->ws.async_write(asio::buffer(text), use_awaitable);
  }
}

void ChargePoint::send(const ConnPtr& conn, std::string text) {
  conn->outbox.push_back(std::move(text));
  conn->outbox_signal.cancel();
}

// Waits for `t` to expire or be cancelled (a wake-up); throws once the connection is gone.
Task<void> ChargePoint::sleep_until_woken(asio::steady_timer& t, const ConnPtr& conn) {
  beast::error_code ec;
  co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
  if (conn->closed) throw ConnectionLost("connection closed");
}

void ChargePoint::on_frame(const ConnPtr& conn, std::string_view text) {
  auto frame = ocpp::parse_frame(text);
  if (auto* c = std::get_if<ocpp::Call>(&frame)) {
    counters_.server_calls.fetch_add(1, std::memory_order_relaxed);
    auto a = answer(conn, c->action, c->payload);
    if (auto* payload = std::get_if<json::object>(&a)) send(conn, ocpp::result_frame(c->id, *payload));
    else {
      const auto& r = std::get<ocpp::Refusal>(a);
      send(conn, ocpp::error_frame(c->id, r.code, r.description));
    }
    return;
  }
  std::string_view id;
  if (auto* r = std::get_if<ocpp::CallResult>(&frame)) id = r->id;
  else if (auto* e = std::get_if<ocpp::CallError>(&frame)) id = e->id;
  else {
    spdlog::debug("sim_malformed_frame pile={} reason={}", cred_.id, std::get<ocpp::Malformed>(frame).reason);
    return;
  }
  if (!conn->call_busy || id != conn->pending_id || conn->pending_reply) {
    spdlog::debug("sim_unexpected_reply pile={} id={}", cred_.id, id);
    return;
  }
  conn->pending_reply = std::move(frame);
  conn->call_timer.cancel();
}

Task<Reply> ChargePoint::call(ConnPtr conn, std::string action, json::object payload) {
  while (conn->call_busy) {
    auto waiter = std::make_shared<asio::steady_timer>(strand_, SteadyClock::time_point::max());
    conn->call_waiters.push_back(waiter);
    co_await sleep_until_woken(*waiter, conn);
  }
  if (conn->closed) throw ConnectionLost("connection closed");
  conn->call_busy = true;
  conn->pending_id = std::to_string(++call_seq_);
  conn->pending_reply.reset();
  const auto started = SteadyClock::now();
  send(conn, ocpp::call_frame(conn->pending_id, action, payload));
  conn->call_timer.expires_after(opts_.call_timeout);
  beast::error_code ec;
  co_await conn->call_timer.async_wait(asio::redirect_error(use_awaitable, ec));
  auto reply = std::move(conn->pending_reply);
  conn->pending_reply.reset();
  conn->call_busy = false;
  if (!conn->call_waiters.empty()) {
    conn->call_waiters.front()->cancel();
    conn->call_waiters.pop_front();
  }
  if (!reply) {
    if (conn->closed) throw ConnectionLost("connection closed during " + action);
    // OCPP-J 1.6 §4.1.1: no answer within the timeout; the connection is presumed broken.
    counters_.calls_timeout.fetch_add(1, std::memory_order_relaxed);
    spdlog::warn("sim_call_timeout pile={} action={}", cred_.id, action);
    throw ConnectionLost(action + " timed out");
  }
  counters_.latency.record(std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started));
  Reply out;
  if (auto* r = std::get_if<ocpp::CallResult>(&*reply)) {
    counters_.calls_ok.fetch_add(1, std::memory_order_relaxed);
    out.ok = true;
    out.payload = std::move(r->payload);
  } else {
    const auto& e = std::get<ocpp::CallError>(*reply);
    counters_.calls_error.fetch_add(1, std::memory_order_relaxed);
    spdlog::debug("sim_call_error pile={} action={} code={} description={}", cred_.id, action, e.code, e.description);
    out.error_code = e.code;
  }
  co_return out;
}

std::shared_ptr<PileHandle> spawn_charge_point(asio::io_context& ioc, const FleetContext& fleet,
                                               const PileCredential& credential, std::uint64_t seed,
                                               std::chrono::milliseconds start_delay) {
  auto cp = std::make_shared<ChargePoint>(ioc, fleet, credential, seed, start_delay);
  cp->start();
  return cp;
}

}  // namespace cp::sim::detail
