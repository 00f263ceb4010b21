#pragma once
// One pile's OCPP-J WebSocket connection after a successful, authenticated upgrade.
// Owns the Beast stream (on the bare TCP socket), the write queue and the protocol adapter;
// everything runs on the stream's executor (a strand, or the io_context with one thread).
// Private to gateway/ (Beast types appear here, never in public headers).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/fwd.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/result.h"
#include "core/time.h"
#include "gateway/detail/rate_limit.h"
#include "gateway/ocpp_listener.h"
#include "protocol/ocpp/v16/central_system.h"
#include "services/registry.h"

namespace cp::services {
class Fleet;
}

namespace cp::gateway::detail {

// What every session of one listener shares. Outlives the sessions (held by shared_ptr).
struct SessionEnv {
  OcppListenerOptions options;
  services::Fleet& fleet;
  const Clock& clock;
  Metrics& metrics;
  Gauge& open_sessions;
  Counter& closed_oversize;
  Counter& closed_rate_limited;
  Counter& replaced;
  std::function<void(const void* session)> unregister;
};

class OcppSession final : public services::PileLink,
                          public std::enable_shared_from_this<OcppSession> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::empty_body>;

  OcppSession(boost::beast::tcp_stream&& stream, std::string pile, std::string remote,
              std::shared_ptr<SessionEnv> env);
  ~OcppSession() override;

  // Completes the WebSocket handshake for an already-validated upgrade request.
  void run(Request request);
  void close(const std::string& reason) override;
  std::string remote_address() const override { return remote_; }
  void execute(domain::Command command, domain::CommandObserver observer) override;
  void going_away();

 private:
  void on_accept(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void send(std::string frame);
  void do_write();
  void close_with(boost::beast::websocket::close_reason reason);
  void finish(const char* why);
  // Commands (strand only): queued behind the running one, run one at a time.
  struct QueuedCommand {
    domain::Command command;
    domain::CommandObserver observer;
  };
  void enqueue(QueuedCommand queued);
  void start_next_command();
  Result<std::string> send_call(ocpp::v16::Action action, boost::json::value payload,
                                ocpp::v16::CentralSystemSession::CallReply reply);

  // On the bare socket: after the upgrade the WebSocket layer's own timeouts apply, so
  // beast::tcp_stream's per-operation timer bookkeeping would be paid for nothing.
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  std::string pile_;
  std::string remote_;
  std::shared_ptr<SessionEnv> env_;
  std::unique_ptr<ocpp::v16::CentralSystemSession> adapter_;
  TokenBucket bucket_;
  bool attached_ = false;
  bool closing_ = false;
  bool finished_ = false;
  std::deque<QueuedCommand> commands_;
  bool command_running_ = false;
  boost::asio::steady_timer call_timer_;  // the outstanding server CALL's timeout
};

}  // namespace cp::gateway::detail
