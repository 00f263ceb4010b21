// EventStreams (sse_stream.h): one EventStream per live-event client, on its session's strand.
// Concurrency: publishers (any thread) only filter, push into the queue under `mu_` and, when
// the strand is idle, post one `pump`; `pumping_` makes sure a single pump/write chain runs at
// a time. Everything touching the socket or timers runs on the strand.
#include "api/detail/sse_stream.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <charconv>
#include <map>
#include <mutex>

namespace cp::api::detail {
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxBatchBytes = 64 * 1024;
// Caps the kernel memory a stalled client pins (Linux doubles the value for bookkeeping).
constexpr int kSocketSendBuffer = 256 * 1024;

constexpr std::string_view kHeader =
    "HTTP/1.1 200 OK\r\n"
    "Server: chargeplane\r\n"
    "Content-Type: text/event-stream\r\n"
    "Cache-Control: no-store\r\n"
    "Connection: close\r\n"
    "X-Accel-Buffering: no\r\n"
    "\r\n";

}  // namespace

class EventStream;

struct EventStreams::Hub {
  Hub(services::EventBus* b, Metrics& m, const Clock& c, EventStreamOptions o)
      : bus(b),
        clock(c),
        options(o),
        connected(m.gauge("chargeplane_event_streams", "Live event (SSE) clients connected")),
        dropped_slow(m.counter("chargeplane_event_streams_dropped_total",
                               "Live event clients dropped by the server", {{"reason", "slow_consumer"}})),
        dropped_stalled(m.counter("chargeplane_event_streams_dropped_total",
                                  "Live event clients dropped by the server", {{"reason", "write_timeout"}})),
        sent(m.counter("chargeplane_events_sent_total", "Live events written to SSE clients")) {}

  services::EventBus* bus;
  const Clock& clock;
  const EventStreamOptions options;
  Gauge& connected;
  Counter& dropped_slow;
  Counter& dropped_stalled;
  Counter& sent;

  std::mutex mu;
  std::map<EventStream*, std::weak_ptr<EventStream>> streams;
  std::size_t reserved = 0;  // reservations not yet opened
  bool stopping = false;

  void remove(EventStream* s) {
    std::lock_guard lock(mu);
    if (streams.erase(s)) connected.set(static_cast<std::int64_t>(streams.size()));
  }
};

class EventStream : public std::enable_shared_from_this<EventStream> {
 public:
  EventStream(tcp::socket socket, std::shared_ptr<EventStreams::Hub> hub, EventFilter filter, std::string who,
              std::optional<std::string> last_event_id)
      : stream_(std::move(socket)),
        hub_(std::move(hub)),
        filter_(std::move(filter)),
        who_(std::move(who)),
        last_event_id_(std::move(last_event_id)),
        queue_(hub_->options.max_queue_events, hub_->options.max_queue_bytes),
        keep_alive_(stream_.get_executor()),
        grace_(stream_.get_executor()) {}

  // Normally after close(); also when the io_context is destroyed with the stream still open.
  ~EventStream() {
    unsubscribe();
    hub_->remove(this);
  }

  // On the strand, once.
  void start() {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    stream_.socket().set_option(asio::socket_base::send_buffer_size(kSocketSendBuffer), ec);
    remote_ = endpoint_text();
    stream_.expires_never();  // the read below never times out; writes get their own limit
    read();
    // The header write below is the first link of the pump chain: events arriving meanwhile
    // are queued, not given a second writer.
    {
      std::lock_guard lock(mu_);
      pumping_ = true;
    }
    out_.assign(kHeader);
    out_ += sse_retry(static_cast<std::uint64_t>(hub_->options.retry.count()));
    auto subscriber = [weak = weak_from_this()](const std::shared_ptr<const services::LiveEvent>& e) {
      if (auto self = weak.lock()) self->offer(e);
    };
    if (!last_event_id_) {
      subscription_ = hub_->bus->subscribe(std::move(subscriber));
    } else {
      // Reconnect: the events after the client's last one come first (queued by the replay),
      // or, when the bus no longer has them all, a notice to re-read the state.
      services::EventBus::Replay replay{false, 0};
      std::uint64_t after = 0;
      const std::string_view text = std::string_view(*last_event_id_).substr(0, 64);
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), after);
      const bool ours = ec == std::errc() && end == text.data() + text.size() && !text.empty();
      if (ours) {
        subscription_ = hub_->bus->subscribe(std::move(subscriber), after, &replay);
      } else {
        subscription_ = hub_->bus->subscribe(std::move(subscriber));
      }
      if (!replay.complete) {
        boost::json::object o{{"type", "replay_unavailable"}, {"pile", ""},
                              {"at", format_rfc3339(hub_->clock.now())}, {"last_event_id", text}};
        append_sse_event(out_, std::nullopt, "replay_unavailable", boost::json::serialize(o));
      }
      if (ours)
        spdlog::info("events.stream_resumed user={} after={} replayed={} complete={}", who_, after, replay.events,
                     replay.complete);
      else
        spdlog::info("events.stream_resumed user={} after=not_an_event_id complete=false", who_);
    }
    arm_keep_alive();
    spdlog::info("events.stream_opened user={} remote={}", who_, remote_);
    write();
  }

  // Publisher's thread.
  void offer(const std::shared_ptr<const services::LiveEvent>& e) {
    if (!filter_.matches(*e)) return;
    bool post_pump = false;
    bool dropped = false;
    {
      std::lock_guard lock(mu_);
      if (phase_ != Phase::Live) return;
      if (!queue_.push(e)) {
        dropped = true;
        phase_ = Phase::Ending;
        final_ = Final{"dropped", "slow_consumer", queue_.size(), queue_.bytes()};
        queue_.clear();  // the memory goes now, not when the client catches up
      }
      if (!pumping_) post_pump = pumping_ = true;
    }
    if (dropped) {
      unsubscribe();  // from here, at once: the bus stops paying for this client
      hub_->dropped_slow.inc();
      asio::post(stream_.get_executor(), [self = shared_from_this()] { self->ending("slow_consumer"); });
    }
    if (post_pump) asio::post(stream_.get_executor(), [self = shared_from_this()] { self->pump(); });
  }

  // Any thread: the server stops.
  void finish() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      bool start_pump = false;
      {
        std::lock_guard lock(self->mu_);
        if (self->phase_ != Phase::Live) return;
        self->phase_ = Phase::Ending;
        self->final_ = Final{"closing", "server_stopping", 0, 0};
        if (!self->pumping_) start_pump = self->pumping_ = true;
      }
      self->ending("server_stopping");
      if (start_pump) self->pump();
    });
  }

 private:
  enum class Phase { Live, Ending, Closed };

  std::string endpoint_text() const {
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    return ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
  }

  // The stream's last event: why it ends. Decided when it ends, rendered when it is written,
  // so `last_event_id` is the last event the client really gets.
  struct Final {
    const char* type;
    const char* reason;
    std::size_t queued_events;  // discarded from the queue (dropped)
    std::size_t queued_bytes;
  };

  // Under mu_.
  void append_final(const Final& f) {
    boost::json::object o{{"type", f.type}, {"reason", f.reason}, {"at", format_rfc3339(hub_->clock.now())}};
    if (last_id_) o["last_event_id"] = last_id_;
    else o["last_event_id"] = nullptr;
    if (std::string_view(f.type) == "dropped") {
      o["queued_events"] = f.queued_events;
      o["queued_bytes"] = f.queued_bytes;
      o["max_queue_events"] = hub_->options.max_queue_events;
      o["max_queue_bytes"] = hub_->options.max_queue_bytes;
    }
    append_sse_event(out_, std::nullopt, f.type, boost::json::serialize(o));
  }

  // Strand: no more events; the final event goes out after what is queued, or the grace ends.
  void ending(const char* why) {
    unsubscribe();
    spdlog::info("events.stream_ending user={} remote={} reason={}", who_, remote_, why);
    grace_.expires_after(hub_->options.close_grace);
    grace_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->close();
    });
  }

  // Strand; pumping_ is true. Takes one batch from the queue and writes it, or goes idle.
  void pump() {
    out_.clear();
    batch_events_ = 0;
    {
      std::lock_guard lock(mu_);
      if (phase_ == Phase::Closed) return;
      while (out_.size() < kMaxBatchBytes) {
        auto e = queue_.pop();
        if (!e) break;
        append_sse_event(out_, *e);
        last_id_ = e->seq;
        ++batch_events_;
      }
      if (keep_alive_due_) {
        out_ += kSseKeepAlive;
        keep_alive_due_ = false;
      }
      if (phase_ == Phase::Ending && queue_.empty() && final_) {
        append_final(*final_);
        final_.reset();
        final_in_batch_ = true;
      }
      if (out_.empty()) {
        pumping_ = false;
        return;
      }
    }
    write();
  }

  void write() {
    stream_.expires_after(hub_->options.write_timeout);
    asio::async_write(stream_, asio::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(beast::error_code ec) {
    if (ec) {
      if (ec == beast::error::timeout) {
        hub_->dropped_stalled.inc();
        spdlog::info("events.stream_stalled user={} remote={}", who_, remote_);
      }
      return close();
    }
    hub_->sent.inc(batch_events_);
    if (final_in_batch_) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return close();
    }
    pump();
  }

  // Strand. Detects the client going away (it sends nothing after its request).
  void read() {
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->read();
    });
  }

  void arm_keep_alive() {
    keep_alive_.expires_after(hub_->options.keep_alive);
    keep_alive_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;
      bool start_pump = false;
      {
        std::lock_guard lock(self->mu_);
        if (self->phase_ != Phase::Live) return;
        self->keep_alive_due_ = true;
        if (!self->pumping_) start_pump = self->pumping_ = true;
      }
      if (start_pump) self->pump();
      self->arm_keep_alive();
    });
  }

  // Any thread (the publisher's on overflow, else the strand); once.
  void unsubscribe() {
    if (const auto id = subscription_.exchange(0)) hub_->bus->unsubscribe(id);
  }

  // Strand; idempotent.
  void close() {
    {
      std::lock_guard lock(mu_);
      if (phase_ == Phase::Closed) return;
      phase_ = Phase::Closed;
      queue_.clear();
    }
    unsubscribe();
    keep_alive_.cancel();
    grace_.cancel();
    beast::error_code ignored;
    stream_.socket().close(ignored);
    hub_->remove(this);
    spdlog::info("events.stream_closed user={} remote={}", who_, remote_);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<EventStreams::Hub> hub_;
  const EventFilter filter_;
  const std::string who_;
  const std::optional<std::string> last_event_id_;  // the client's, on a reconnect
  std::string remote_;

  // Shared with publishers, under mu_.
  std::mutex mu_;
  EventQueue queue_;
  Phase phase_ = Phase::Live;
  bool pumping_ = false;  // a pump is posted or a write is in flight
  bool keep_alive_due_ = false;
  std::optional<Final> final_;  // until it is taken into a batch
  std::uint64_t last_id_ = 0;

  std::atomic<services::EventBus::SubscriptionId> subscription_{0};

  // Strand only.
  std::string out_;
  std::size_t batch_events_ = 0;
  bool final_in_batch_ = false;
  asio::steady_timer keep_alive_;
  asio::steady_timer grace_;
  std::array<char, 512> scratch_{};
};

EventStreams::EventStreams(services::EventBus* bus, Metrics& metrics, const Clock& clock, EventStreamOptions options)
    : hub_(std::make_shared<Hub>(bus, metrics, clock, options)) {}

EventStreams::~EventStreams() = default;

bool EventStreams::available() const { return hub_->bus != nullptr; }

bool EventStreams::reserve() {
  std::lock_guard lock(hub_->mu);
  if (hub_->stopping || !hub_->bus || hub_->streams.size() + hub_->reserved >= hub_->options.max_clients) return false;
  ++hub_->reserved;
  return true;
}

void EventStreams::open(tcp::socket socket, const EventSubscription& subscription) {
  auto stream = std::make_shared<EventStream>(std::move(socket), hub_, subscription.filter,
                                              subscription.principal.username, subscription.last_event_id);
  bool stopping = false;
  {
    std::lock_guard lock(hub_->mu);
    if (hub_->reserved > 0) --hub_->reserved;
    stopping = hub_->stopping;
    hub_->streams[stream.get()] = stream;
    hub_->connected.set(static_cast<std::int64_t>(hub_->streams.size()));
  }
  stream->start();
  if (stopping) stream->finish();  // close_all ran between reserve and open
}

void EventStreams::close_all() {
  std::vector<std::shared_ptr<EventStream>> open;
  {
    std::lock_guard lock(hub_->mu);
    hub_->stopping = true;
    for (auto& [raw, weak] : hub_->streams)
      if (auto s = weak.lock()) open.push_back(std::move(s));
  }
  for (auto& s : open) s->finish();
}

std::size_t EventStreams::count() const {
  std::lock_guard lock(hub_->mu);
  return hub_->streams.size();
}

}  // namespace cp::api::detail
