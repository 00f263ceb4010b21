#include "gateway/detail/ocpp_session.h"

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/value.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>

#include "core/result.h"
#include "gateway/detail/command_queue.h"
#include "gateway/detail/rate_limit.h"
#include "protocol/ocpp/v16/central_system.h"
#include "protocol/ocpp/v16/command_runner.h"
#include "services/fleet.h"

namespace cp::gateway::detail {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

// The session on executor type `Executor`: the io_context's own executor, or a strand of it.
template <class Executor>
class BasicOcppSession final : public OcppSession, public std::enable_shared_from_this<BasicOcppSession<Executor>> {
 public:
  using Socket = asio::basic_stream_socket<asio::ip::tcp, Executor>;
  using Timer = asio::basic_waitable_timer<std::chrono::steady_clock, asio::wait_traits<std::chrono::steady_clock>,
                                           Executor>;

  BasicOcppSession(Socket socket, std::string pile, std::string remote, std::shared_ptr<SessionEnv> env);
  ~BasicOcppSession() override = default;

  void run(Request request) override;
  void close(const std::string& reason) override;
  std::string remote_address() const override { return remote_; }
  void execute(domain::Command command, domain::CommandObserver observer) override;
  void going_away() override;

 private:
  using std::enable_shared_from_this<BasicOcppSession>::shared_from_this;
  using std::enable_shared_from_this<BasicOcppSession>::weak_from_this;

  void on_accept(beast::error_code ec);
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void send(std::string frame);
  void do_write();
  void close_with(websocket::close_reason reason);
  void finish(const char* why);
  // Commands (on the session's executor): queued behind the running one, run one at a time.
  void enqueue(QueuedCommand queued);
  void start_next_command();
  Result<std::string> send_call(ocpp::v16::Action action, boost::json::value payload,
                                ocpp::v16::CentralSystemSession::CallReply reply);
  // Idle check (ours, not Beast's: Beast re-arms its timer on every read, a timer cancellation
  // and an aborted handler per message). A periodic tick pings a pile silent for half the idle
  // timeout and closes one silent for all of it.
  void start_idle_check();
  void on_idle_tick();
  void heard(std::chrono::steady_clock::time_point at) {  // a frame or a pong from the pile
    last_heard_ = at;
    ping_outstanding_ = false;
  }

  // On the bare socket: after the upgrade the WebSocket layer's own timeouts apply, so
  // beast::tcp_stream's per-operation timer bookkeeping would be paid for nothing.
  websocket::stream<Socket> ws_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  std::string pile_;
  std::string remote_;
  std::shared_ptr<SessionEnv> env_;
  std::unique_ptr<ocpp::v16::CentralSystemSession> adapter_;
  TokenBucket bucket_;
  bool attached_ = false;
  bool closing_ = false;
  bool finished_ = false;
  CommandQueue commands_;
  Timer call_timer_;  // the outstanding server CALL's timeout
  Timer idle_timer_;
  std::chrono::steady_clock::time_point last_heard_{};  // any frame from the pile, pongs too
  bool ping_outstanding_ = false;  // sent, and nothing heard since
  bool ping_in_flight_ = false;
  bool idle_closed_ = false;
};

template <class Executor>
BasicOcppSession<Executor>::BasicOcppSession(Socket socket, std::string pile, std::string remote,
                                             std::shared_ptr<SessionEnv> env)
    : ws_(std::move(socket)),
      pile_(std::move(pile)),
      remote_(std::move(remote)),
      env_(std::move(env)),
      bucket_(env_->options.messages_per_second, env_->options.message_burst,
              TokenBucket::Clock::now()),
      commands_(env_->options.max_queued_commands),
      call_timer_(ws_.get_executor()),
      idle_timer_(ws_.get_executor()) {}

template <class Executor>
void BasicOcppSession<Executor>::run(Request request) {
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = env_->options.handshake_timeout;
  timeouts.idle_timeout = websocket::stream_base::none();  // see start_idle_check
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(beast::http::field::server, "ChargePlane");
    res.set(beast::http::field::sec_websocket_protocol, "ocpp1.6");
  }));
  ws_.read_message_max(env_->options.max_message_bytes);
  ws_.auto_fragment(false);
  ws_.text(true);
  // Called from the handshake's handler: start on the session's own executor.
  asio::dispatch(ws_.get_executor(), [self = shared_from_this(), request = std::move(request)]() mutable {
    self->ws_.async_accept(request, [self](beast::error_code ec) { self->on_accept(ec); });
  });
}

template <class Executor>
void BasicOcppSession<Executor>::on_accept(beast::error_code ec) {
  if (ec) {
    spdlog::info("ocpp.handshake_failed pile={} remote={} error=\"{}\"", pile_, remote_, ec.message());
    finish("handshake failed");
    return;
  }
  std::weak_ptr<BasicOcppSession> weak = weak_from_this();
  auto send = [weak](std::string frame) {
    if (auto self = weak.lock()) self->send(std::move(frame));
  };
  // Called from the store's writer thread: never lock the session there (the last reference
  // could then die off its strand); hop onto the strand first, then check it is alive.
  auto post = [weak, executor = ws_.get_executor()](std::function<void()> fn) {
    asio::post(executor, [weak, fn = std::move(fn)] {
      if (auto alive = weak.lock(); alive && !alive->finished_) fn();
    });
  };
  ocpp::v16::SessionOptions adapter_options;
  adapter_options.utf8_checked = true;  // Beast refuses text frames that are not valid UTF-8
  adapter_options.meter_values_shapes = env_->meter_values_shapes;
  adapter_ = std::make_unique<ocpp::v16::CentralSystemSession>(pile_, env_->fleet, env_->clock,
                                                               std::move(send), std::move(post),
                                                               &env_->metrics, adapter_options);
  env_->open_sessions.add(1);
  attached_ = true;
  if (auto replaced = env_->fleet.connected(pile_, shared_from_this())) {
    env_->replaced.inc();
    spdlog::warn("ocpp.connection_replaced pile={} old_remote={} new_remote={}", pile_,
                 replaced->remote_address(), remote_);
    replaced->close("replaced by a newer connection for the same charge point id");
  }
  spdlog::info("ocpp.connected pile={} remote={}", pile_, remote_);
  start_idle_check();
  do_read();
}

template <class Executor>
void BasicOcppSession<Executor>::do_read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

template <class Executor>
void BasicOcppSession<Executor>::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      env_->closed_oversize.inc();
      spdlog::warn("ocpp.closed pile={} reason=\"message over {} bytes\" code=1009", pile_,
                   env_->options.max_message_bytes);
    }
    finish(idle_closed_ ? "idle timeout" : ec == websocket::error::closed ? "closed by peer" : "connection lost");
    return;
  }
  const auto now = TokenBucket::Clock::now();
  heard(now);
  if (!ws_.got_text()) {
    // OCPP-J §3: messages are text frames. Binary is a protocol violation → close 1003.
    spdlog::warn("ocpp.closed pile={} reason=\"binary frame\" code=1003", pile_);
    close_with({websocket::close_code::bad_payload, "OCPP-J requires text frames"});
    buffer_.consume(buffer_.size());
    do_read();
    return;
  }
  if (!bucket_.take(now)) {
    env_->closed_rate_limited.inc();
    spdlog::warn("ocpp.closed pile={} reason=\"message rate over {}/s (burst {})\" code=1008", pile_,
                 env_->options.messages_per_second, env_->options.message_burst);
    close_with({websocket::close_code::policy_error, "message rate limit exceeded"});
    buffer_.consume(buffer_.size());
    do_read();  // keep reading until the close handshake completes
    return;
  }
  if (!closing_) {
    const auto data = buffer_.cdata();
    adapter_->on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
  }
  buffer_.consume(buffer_.size());
  if (buffer_.capacity() > 8192) buffer_.shrink_to_fit();  // idle sessions stay small
  do_read();
}

template <class Executor>
void BasicOcppSession<Executor>::send(std::string frame) {
  if (finished_ || closing_) return;
  outbox_.push_back(std::move(frame));
  if (outbox_.size() == 1) do_write();
}

template <class Executor>
void BasicOcppSession<Executor>::do_write() {
  ws_.async_write(asio::buffer(outbox_.front()),
                  [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    self->outbox_.pop_front();
                    if (ec) {
                      self->outbox_.clear();
                      return;  // the read side sees the failure and finishes
                    }
                    if (!self->outbox_.empty()) self->do_write();
                  });
}

template <class Executor>
void BasicOcppSession<Executor>::close_with(websocket::close_reason reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  ws_.async_close(reason, [self = shared_from_this()](beast::error_code) {});
}

template <class Executor>
void BasicOcppSession<Executor>::close(const std::string& reason) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), reason] {
    spdlog::info("ocpp.closing pile={} reason=\"{}\"", self->pile_, reason);
    self->close_with({websocket::close_code::normal, reason.substr(0, 120)});
  });
}

template <class Executor>
void BasicOcppSession<Executor>::execute(domain::Command command, domain::CommandObserver observer) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), queued = QueuedCommand{std::move(command),
                                                                                    std::move(observer)}]() mutable {
    self->enqueue(std::move(queued));
  });
}

template <class Executor>
void BasicOcppSession<Executor>::enqueue(QueuedCommand queued) {
  if (finished_ || closing_ || !adapter_)
    return end_unrun(queued.observer, "Offline", "the pile's connection is closing");
  const char* type = domain::command_type(queued.command);
  if (!commands_.admit(std::move(queued))) {
    spdlog::warn("ocpp.command_refused pile={} type={} reason=\"queue full\" queued={}", pile_, type,
                 commands_.waiting());
    return;
  }
  start_next_command();
}

template <class Executor>
void BasicOcppSession<Executor>::start_next_command() {
  if (finished_) return;
  std::optional<QueuedCommand> started = commands_.start();
  if (!started) return;
  QueuedCommand& next = *started;
  const std::string type = domain::command_type(next.command);
  std::weak_ptr<BasicOcppSession> weak = weak_from_this();
  domain::CommandObserver observer;
  observer.parameter = std::move(next.observer.parameter);
  // The runner calls `done` on the strand; the next command starts from a fresh handler, not
  // from inside the reply that finished this one.
  observer.done = [weak, type, pile = pile_, done = std::move(next.observer.done)](domain::CommandOutcome outcome) {
    spdlog::info("ocpp.command_done pile={} type={} status={}", pile, type, outcome.status);
    if (done) done(std::move(outcome));
    if (auto self = weak.lock()) {
      asio::post(self->ws_.get_executor(), [self] {
        self->commands_.finished();
        self->start_next_command();
      });
    }
  };
  auto call = [weak](ocpp::v16::Action action, boost::json::value payload,
                     ocpp::v16::CentralSystemSession::CallReply reply) -> Result<std::string> {
    auto self = weak.lock();
    if (!self) return fail("closed", "the connection is closed");
    return self->send_call(action, std::move(payload), std::move(reply));
  };
  ocpp::v16::run_command(std::move(next.command), std::move(call), std::move(observer), env_->clock);
}

template <class Executor>
Result<std::string> BasicOcppSession<Executor>::send_call(ocpp::v16::Action action, boost::json::value payload,
                                           ocpp::v16::CentralSystemSession::CallReply reply) {
  using ocpp::v16::CallFailure;
  auto count = [env = env_, action](const char* outcome) {
    env->metrics
        .counter("chargeplane_ocpp_server_calls_total", "Server-initiated OCPP CALLs, by action and outcome",
                 {{"action", ocpp::v16::to_string(action)}, {"outcome", outcome}})
        .inc();
  };
  if (finished_ || closing_) {
    count("not_sent");
    return fail("closed", "the connection is closed");
  }
  std::weak_ptr<BasicOcppSession> weak = weak_from_this();
  auto id = adapter_->call(action, std::move(payload), [weak, count, reply = std::move(reply)](auto result) {
    if (auto self = weak.lock()) self->call_timer_.cancel();
    if (result) {
      count("ok");
    } else {
      switch (result.error().kind) {
        case CallFailure::Kind::CallError: count("CallError"); break;
        case CallFailure::Kind::InvalidResponse: count("InvalidResponse"); break;
        case CallFailure::Kind::Timeout: count("Timeout"); break;
        case CallFailure::Kind::Closed: count("Closed"); break;
      }
    }
    reply(std::move(result));
  });
  if (!id) {
    count("not_sent");
    return id;
  }
  call_timer_.expires_after(env_->options.call_timeout);
  call_timer_.async_wait([weak, message_id = *id](beast::error_code ec) {
    if (ec) return;  // answered (cancelled) or the session is going away
    auto self = weak.lock();
    if (!self || self->finished_) return;
    spdlog::warn("ocpp.call_timeout pile={} id={}", self->pile_, message_id);
    self->adapter_->on_call_timeout(message_id);  // ignored if that CALL was answered meanwhile
  });
  return id;
}

template <class Executor>
void BasicOcppSession<Executor>::start_idle_check() {
  last_heard_ = std::chrono::steady_clock::now();
  // Pongs and pings count as hearing from the pile; Beast answers pings itself.
  ws_.control_callback(
      [this](websocket::frame_type, beast::string_view) { heard(std::chrono::steady_clock::now()); });
  on_idle_tick();
}

template <class Executor>
void BasicOcppSession<Executor>::on_idle_tick() {
  if (finished_ || closing_) return;
  const auto timeout = std::chrono::duration_cast<std::chrono::steady_clock::duration>(env_->options.idle_timeout);
  const auto silent = std::chrono::steady_clock::now() - last_heard_;
  if (silent >= timeout) {
    // What Beast's own idle timeout did: a half-open peer gets no close handshake, the socket
    // is closed and the pending read fails.
    spdlog::warn("ocpp.closed pile={} reason=\"idle timeout: nothing heard for {} s\"", pile_,
                 std::chrono::duration_cast<std::chrono::seconds>(silent).count());
    idle_closed_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(ws_).close(ec);
    return;
  }
  if (silent >= timeout / 2 && !ping_outstanding_ && !ping_in_flight_) {
    ping_outstanding_ = true;  // until a frame or pong arrives
    ping_in_flight_ = true;    // Beast takes one ping at a time
    ws_.async_ping({}, [self = shared_from_this()](beast::error_code) { self->ping_in_flight_ = false; });
  }
  // A quarter of the timeout between checks: a silent pile is closed within 1.25x of it.
  idle_timer_.expires_after(std::max<std::chrono::steady_clock::duration>(timeout / 4, std::chrono::milliseconds(100)));
  idle_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->on_idle_tick();
  });
}

template <class Executor>
void BasicOcppSession<Executor>::going_away() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    self->close_with({websocket::close_code::going_away, "server shutting down"});
  });
}

template <class Executor>
void BasicOcppSession<Executor>::finish(const char* why) {
  if (finished_) return;
  finished_ = true;
  call_timer_.cancel();
  idle_timer_.cancel();
  // The running command learns through its CALL (failed with Closed); queued ones never ran.
  if (adapter_) adapter_->on_closed();
  commands_.close();
  if (attached_) {
    env_->open_sessions.add(-1);
    env_->fleet.disconnected(pile_, this);
    spdlog::info("ocpp.disconnected pile={} remote={} reason=\"{}\"", pile_, remote_, why);
  }
  env_->unregister(static_cast<const OcppSession*>(this));
}

std::shared_ptr<OcppSession> make_ocpp_session(asio::io_context& io, bool single_io_thread,
                                               beast::tcp_stream&& stream, std::string pile, std::string remote,
                                               std::shared_ptr<SessionEnv> env) {
  // Move the connected descriptor onto the session's executor (the handshake ran on the
  // acceptor's type-erased one).
  asio::ip::tcp::socket accepted = stream.release_socket();
  beast::error_code ec;
  const auto protocol = accepted.local_endpoint(ec).protocol();
  const auto fd = accepted.release(ec);
  auto adopt = [&](auto executor) -> std::shared_ptr<OcppSession> {
    using Session = BasicOcppSession<decltype(executor)>;
    typename Session::Socket socket(executor);
    if (!ec) socket.assign(protocol, fd, ec);
    if (ec) {
      spdlog::warn("ocpp.session_failed pile={} remote={} error=\"{}\"", pile, remote, ec.message());
      return nullptr;
    }
    return std::make_shared<Session>(std::move(socket), std::move(pile), std::move(remote), std::move(env));
  };
  if (single_io_thread) return adopt(io.get_executor());
  return adopt(asio::make_strand(io));
}

}  // namespace cp::gateway::detail
