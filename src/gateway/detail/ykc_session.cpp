#include "gateway/detail/ykc_session.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include <optional>

#include "services/fleet.h"
#include "services/pile_keys.h"

namespace cp::gateway::detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

YkcSession::YkcSession(tcp::socket socket, std::string remote, std::shared_ptr<YkcEnv> env)
    : socket_(std::move(socket)),
      remote_(std::move(remote)),
      env_(std::move(env)),
      bucket_(env_->options.frames_per_second, env_->options.frame_burst, TokenBucket::Clock::now()),
      heartbeat_timer_(socket_.get_executor()),
      command_timer_(socket_.get_executor()),
      last_frame_(std::chrono::steady_clock::now()),
      commands_(env_->options.max_queued_commands) {}

YkcSession::~YkcSession() = default;

void YkcSession::run() {
  std::weak_ptr<YkcSession> weak = weak_from_this();
  ykc::AdapterHooks hooks;
  hooks.send = [weak](std::string bytes) {
    if (auto self = weak.lock()) self->send(std::move(bytes));
  };
  // Sink callbacks arrive on the store's writer thread: hop onto the strand, then check the
  // session is alive (never lock it off the strand: the last reference could die there).
  hooks.post = [weak, executor = socket_.get_executor()](std::function<void()> fn) {
    asio::post(executor, [weak, fn = std::move(fn)] {
      if (auto alive = weak.lock(); alive && !alive->finished_) fn();
    });
  };
  hooks.close = [weak](const std::string& reason) {
    if (auto self = weak.lock()) self->close_after_flush(reason);
  };
  hooks.admit_frame = [weak]() {
    auto self = weak.lock();
    if (!self || self->closing_) return false;
    self->last_frame_ = std::chrono::steady_clock::now();
    if (self->bucket_.take(TokenBucket::Clock::now())) return true;
    self->env_->closed_rate_limited.inc();
    spdlog::warn("ykc.closed pile={} remote={} reason=\"frame rate over {}/s (burst {})\"", self->pile_,
                 self->remote_, self->env_->options.frames_per_second, self->env_->options.frame_burst);
    self->close_after_flush("frame rate limit exceeded");
    return false;
  };
  hooks.logged_in = [weak](const std::string& pile) {
    if (auto self = weak.lock()) self->on_logged_in(pile);
  };
  hooks.lookup = [env = env_](const std::string& pile) -> Result<std::optional<ykc::PileProfile>> {
    auto t = env->transports.lookup(pile);
    if (!t) return fail(t.error());
    if (!t->has_value()) return std::optional<ykc::PileProfile>{};
    auto settings = ykc::parse_pile_settings((*t)->options_json);
    if (!settings) return fail(settings.error());
    return std::optional<ykc::PileProfile>{
        ykc::PileProfile{(*t)->protocol, (*t)->registration, (*t)->cipher, std::move((*t)->key), std::move(*settings)}};
  };
  adapter_ = std::make_unique<ykc::PileAdapter>(env_->fleet, env_->clock, *env_->adapter, std::move(hooks));
  env_->open_sessions.add(1);
  spdlog::debug("ykc.accepted remote={}", remote_);
  arm_heartbeat_timer();
  do_read();
}

void YkcSession::do_read() {
  socket_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](boost::system::error_code ec,
                                                                                   std::size_t n) {
    self->on_read(ec, n);
  });
}

void YkcSession::on_read(boost::system::error_code ec, std::size_t n) {
  if (ec) {
    finish(ec == asio::error::eof ? "closed by peer" : closing_ ? "closed" : "connection lost");
    return;
  }
  if (!closing_) adapter_->on_bytes(std::string_view(read_buffer_.data(), n));
  do_read();  // also while closing: reading until the peer's FIN ends the session cleanly
}

void YkcSession::send(std::string bytes) {
  if (finished_ || closing_) return;
  outbox_.push_back(std::move(bytes));
  if (outbox_.size() == 1) do_write();
}

void YkcSession::do_write() {
  asio::async_write(socket_, asio::buffer(outbox_.front()),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      self->outbox_.pop_front();
                      if (ec) {
                        self->outbox_.clear();
                        return;  // the read side sees the failure and finishes
                      }
                      if (!self->outbox_.empty()) return self->do_write();
                      if (self->closing_) self->shutdown_now();
                    });
}

void YkcSession::close_after_flush(const std::string& reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  spdlog::info("ykc.closing pile={} remote={} reason=\"{}\"", pile_, remote_, reason);
  if (outbox_.empty()) return shutdown_now();
  // The last write completion shuts down; a peer that never reads gets 5 s.
  heartbeat_timer_.expires_after(std::chrono::seconds(5));
  heartbeat_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (auto self = weak.lock(); self && !ec && !self->finished_) self->shutdown_now();
  });
}

void YkcSession::shutdown_now() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);  // the pending read completes with an error and finishes the session
}

void YkcSession::close(const std::string& reason) {
  asio::post(socket_.get_executor(), [self = shared_from_this(), reason] { self->close_after_flush(reason); });
}

void YkcSession::going_away() { close("server shutting down"); }

void YkcSession::arm_heartbeat_timer() {
  heartbeat_timer_.expires_at(last_frame_ + env_->options.heartbeat_timeout);
  heartbeat_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self || self->finished_ || self->closing_) return;
    if (std::chrono::steady_clock::now() < self->last_frame_ + self->env_->options.heartbeat_timeout)
      return self->arm_heartbeat_timer();  // a frame came meanwhile
    self->env_->closed_heartbeat_timeout.inc();
    spdlog::warn("ykc.heartbeat_timeout pile={} remote={} silent_ms={} logged_in={}", self->pile_, self->remote_,
                 self->env_->options.heartbeat_timeout.count(), self->adapter_->logged_in());
    self->close_after_flush("heartbeat timeout");
  });
}

void YkcSession::on_logged_in(const std::string& pile) {
  pile_ = pile;
  attached_ = true;
  if (auto replaced = env_->fleet.connected(pile_, shared_from_this())) {
    env_->replaced.inc();
    spdlog::warn("ykc.connection_replaced pile={} old_remote={} new_remote={}", pile_, replaced->remote_address(),
                 remote_);
    replaced->close("replaced by a newer connection for the same pile number");
  }
  spdlog::info("ykc.connected pile={} remote={}", pile_, remote_);
}

void YkcSession::execute(domain::Command command, domain::CommandObserver observer) {
  asio::post(socket_.get_executor(),
             [self = shared_from_this(), queued = QueuedCommand{std::move(command), std::move(observer)}]() mutable {
               self->enqueue(std::move(queued));
             });
}

void YkcSession::enqueue(QueuedCommand queued) {
  if (finished_ || closing_ || !adapter_ || !adapter_->logged_in())
    return end_unrun(queued.observer, "Offline", "the pile's connection is closing");
  const char* type = domain::command_type(queued.command);
  if (!commands_.admit(std::move(queued))) {
    spdlog::warn("ykc.command_refused pile={} type={} reason=\"queue full\" queued={}", pile_, type,
                 commands_.waiting());
    return;
  }
  start_next_command();
}

void YkcSession::start_next_command() {
  if (finished_) return;
  std::optional<QueuedCommand> started = commands_.start();
  if (!started) return;
  QueuedCommand& next = *started;
  const std::string type = domain::command_type(next.command);
  std::weak_ptr<YkcSession> weak = weak_from_this();
  domain::CommandObserver observer;
  observer.parameter = std::move(next.observer.parameter);
  observer.done = [weak, type, pile = pile_, done = std::move(next.observer.done)](domain::CommandOutcome outcome) {
    spdlog::info("ykc.command_done pile={} type={} status={}", pile, type, outcome.status);
    if (done) done(std::move(outcome));
    if (auto self = weak.lock()) {
      asio::post(self->socket_.get_executor(), [self] {
        self->command_timer_.cancel();
        self->commands_.finished();
        self->start_next_command();
      });
    }
  };
  adapter_->run_command(std::move(next.command), std::move(observer));
  if (commands_.running() && adapter_->command_waiting()) {
    command_timer_.expires_after(env_->options.command_timeout);
    command_timer_.async_wait([weak](boost::system::error_code ec) {
      if (ec) return;
      auto self = weak.lock();
      if (!self || self->finished_) return;
      spdlog::warn("ykc.command_timeout pile={}", self->pile_);
      self->adapter_->on_command_timeout();
    });
  }
}

void YkcSession::finish(const char* why) {
  if (finished_) return;
  finished_ = true;
  heartbeat_timer_.cancel();
  command_timer_.cancel();
  if (adapter_) adapter_->on_closed();  // the running command ends Offline
  commands_.close();
  env_->open_sessions.add(-1);
  if (attached_) {
    env_->fleet.disconnected(pile_, this);
    spdlog::info("ykc.disconnected pile={} remote={} reason=\"{}\"", pile_, remote_, why);
  } else {
    spdlog::debug("ykc.disconnected remote={} reason=\"{}\" logged_in=false", remote_, why);
  }
  env_->unregister(this);
}

}  // namespace cp::gateway::detail
