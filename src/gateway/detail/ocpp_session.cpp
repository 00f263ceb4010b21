#include "gateway/detail/ocpp_session.h"

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/version.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

#include "protocol/ocpp/v16/central_system.h"
#include "services/fleet.h"

namespace cp::gateway::detail {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

OcppSession::OcppSession(beast::tcp_stream&& stream, std::string pile, std::string remote,
                         std::shared_ptr<SessionEnv> env)
    : ws_(std::move(stream)),
      pile_(std::move(pile)),
      remote_(std::move(remote)),
      env_(std::move(env)),
      bucket_(env_->options.messages_per_second, env_->options.message_burst,
              TokenBucket::Clock::now()) {}

OcppSession::~OcppSession() = default;

void OcppSession::run(Request request) {
  beast::get_lowest_layer(ws_).expires_never();  // the websocket timeouts take over
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = env_->options.handshake_timeout;
  timeouts.idle_timeout = env_->options.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
    res.set(beast::http::field::server, "ChargePlane");
    res.set(beast::http::field::sec_websocket_protocol, "ocpp1.6");
  }));
  ws_.read_message_max(env_->options.max_message_bytes);
  ws_.auto_fragment(false);
  ws_.text(true);
  ws_.async_accept(request, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
}

void OcppSession::on_accept(beast::error_code ec) {
  if (ec) {
    spdlog::info("ocpp.handshake_failed pile={} remote={} error=\"{}\"", pile_, remote_, ec.message());
    finish("handshake failed");
    return;
  }
  std::weak_ptr<OcppSession> weak = weak_from_this();
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
  do_read();
}

void OcppSession::do_read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void OcppSession::on_read(beast::error_code ec, std::size_t) {
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      env_->closed_oversize.inc();
      spdlog::warn("ocpp.closed pile={} reason=\"message over {} bytes\" code=1009", pile_,
                   env_->options.max_message_bytes);
    }
    finish(ec == websocket::error::closed ? "closed by peer" : "connection lost");
    return;
  }
  if (!ws_.got_text()) {
    // OCPP-J §3: messages are text frames. Binary is a protocol violation → close 1003.
    spdlog::warn("ocpp.closed pile={} reason=\"binary frame\" code=1003", pile_);
    close_with({websocket::close_code::bad_payload, "OCPP-J requires text frames"});
    buffer_.consume(buffer_.size());
    do_read();
    return;
  }
  if (!bucket_.take(TokenBucket::Clock::now())) {
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

void OcppSession::send(std::string frame) {
  if (finished_ || closing_) return;
  outbox_.push_back(std::move(frame));
  if (outbox_.size() == 1) do_write();
}

void OcppSession::do_write() {
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

void OcppSession::close_with(websocket::close_reason reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  ws_.async_close(reason, [self = shared_from_this()](beast::error_code) {});
}

void OcppSession::close(const std::string& reason) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), reason] {
    spdlog::info("ocpp.closing pile={} reason=\"{}\"", self->pile_, reason);
    self->close_with({websocket::close_code::normal, reason.substr(0, 120)});
  });
}

void OcppSession::execute(domain::Command, domain::CommandObserver observer) {
  // Replaced by the OCPP 1.6 command runner (issue #4, in progress on a branch).
  observer.done({"NotSupported", "commands are not wired to OCPP sessions yet", "", {}, {}, {}});
}

void OcppSession::going_away() {
  asio::post(ws_.get_executor(), [self = shared_from_this()] {
    self->close_with({websocket::close_code::going_away, "server shutting down"});
  });
}

void OcppSession::finish(const char* why) {
  if (finished_) return;
  finished_ = true;
  if (adapter_) adapter_->on_closed();
  if (attached_) {
    env_->open_sessions.add(-1);
    env_->fleet.disconnected(pile_, this);
    spdlog::info("ocpp.disconnected pile={} remote={} reason=\"{}\"", pile_, remote_, why);
  }
  env_->unregister(this);
}

}  // namespace cp::gateway::detail
