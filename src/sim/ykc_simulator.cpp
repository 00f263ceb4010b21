// The YKC fleet: one TCP connection per simulated pile on its own strand, a 1 s tick driving the
// pure YkcPile model, frames through FrameAssembler + PileCodec, reconnect with back-off.
#include "sim/ykc_simulator.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <deque>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "protocol/ykc/assembler.h"
#include "protocol/ykc/codec.h"
#include "sim/detail/ykc_pile.h"

namespace cp::sim {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Result<std::vector<std::string>> ykc_pile_numbers(const YkcSimOptions& o) {
  if (o.first_pile.size() != 14 || !std::all_of(o.first_pile.begin(), o.first_pile.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return fail("invalid_options", "the first pile number must be 14 digits");
  if (o.piles < 1) return fail("invalid_options", "at least one pile");
  const auto first = std::stoull(o.first_pile);
  if (first + static_cast<unsigned long long>(o.piles) - 1 > 99999999999999ull)
    return fail("invalid_options", "pile numbers would exceed 14 digits");
  std::vector<std::string> out;
  for (int i = 0; i < o.piles; ++i) out.push_back(fmt::format("{:014d}", first + static_cast<unsigned long long>(i)));
  return out;
}

Result<std::optional<ykc::CipherProfile>> ykc_cipher_profile(const YkcSimOptions& o) {
  if (o.encryption == "none") {
    if (!o.key.empty()) return fail("invalid_options", "a key was given but --encryption is none");
    return std::optional<ykc::CipherProfile>{};
  }
  ykc::CipherProfile p;
  if (o.encryption == "des") p.algorithm = ykc::CipherAlgorithm::Des;
  else if (o.encryption == "3des") p.algorithm = ykc::CipherAlgorithm::TripleDes;
  else return fail("invalid_options", "--encryption must be none, des or 3des");
  p.key = o.key;
  if (auto v = ykc::validate(p); !v) return fail("invalid_options", v.error().detail);
  return std::optional<ykc::CipherProfile>{std::move(p)};
}

Result<std::vector<std::uint8_t>> read_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail("invalid_options", "cannot read key file " + path);
  std::string line, digits;
  while (std::getline(in, line)) {
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    for (char c : line)
      if (!std::isspace(static_cast<unsigned char>(c))) digits.push_back(c);
  }
  auto bytes = ykc::from_hex(digits);
  if (!bytes || (bytes->size() != 8 && bytes->size() != 16 && bytes->size() != 24))
    return fail("invalid_options", "key file " + path + " must hold 16, 32 or 48 hex digits");  // never echo the key
  return std::move(*bytes);
}

std::string format_stats(const YkcSimStats& s) {
  return fmt::format(
      "piles={} connected={} logged_in={} connects={} connect_failures={} disconnects={} login_refused={} "
      "frames_sent={} frames_received={} frame_errors={} realtime={} sessions_started={} sessions_stopped={} "
      "records_sent={} records_resent={} records_confirmed={} commands={} parallel_starts={}",
      s.piles, s.connected, s.logged_in, s.connects, s.connect_failures, s.disconnects, s.login_refused, s.frames_sent,
      s.frames_received, s.frame_errors, s.realtime, s.sessions_started, s.sessions_stopped, s.records_sent,
      s.records_resent, s.records_confirmed, s.commands, s.parallel_starts);
}

namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Counters {
  std::atomic<std::int64_t> connected{0}, logged_in{0};
  std::atomic<std::uint64_t> connects{0}, connect_failures{0}, disconnects{0}, frames_sent{0}, frames_received{0},
      frame_errors{0};
};

struct Fleet {
  const YkcSimOptions* opts = nullptr;
  const ykc::CipherLibrary* ciphers = nullptr;
  std::optional<ykc::CipherProfile> cipher;
  Counters* counters = nullptr;
  tcp::resolver::results_type endpoints;
};

class PileConnection : public std::enable_shared_from_this<PileConnection> {
 public:
  PileConnection(asio::io_context& ioc, const Fleet& fleet, YkcPileConfig cfg)
      : fleet_(fleet),
        strand_(asio::make_strand(ioc)),
        socket_(strand_),
        tick_(strand_),
        retry_(strand_),
        pile_(std::move(cfg), now_ms()),
        codec_(fleet.ciphers, pile_.config().options, fleet.cipher),
        rng_(pile_.config().seed) {}

  void start(std::chrono::milliseconds delay) {
    retry_.expires_after(delay);
    retry_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->connect();
    });
  }
  void stop() {
    asio::post(strand_, [self = shared_from_this()] {
      self->stopping_ = true;
      self->retry_.cancel();
      self->tick_.cancel();
      self->close();
    });
  }
  YkcPileStats stats() {
    std::lock_guard lock(stats_mu_);
    return snapshot_;
  }
  bool logged_in() const { return logged_in_.load(); }

 private:
  void connect() {
    if (stopping_) return;
    asio::async_connect(socket_, fleet_.endpoints, [self = shared_from_this()](boost::system::error_code ec, const tcp::endpoint&) {
      self->on_connect(ec);
    });
  }
  void on_connect(boost::system::error_code ec) {
    if (ec) {
      ++fleet_.counters->connect_failures;
      return schedule_reconnect();
    }
    attempt_ = 0;
    connected_ = true;
    ++fleet_.counters->connects;
    ++fleet_.counters->connected;
    socket_.set_option(tcp::no_delay(true));
    assembler_ = ykc::FrameAssembler{};
    codec_ = ykc::PileCodec(fleet_.ciphers, pile_.config().options, fleet_.cipher);
    send(pile_.on_connected(now_ms()));
    read();
    tick();
  }
  void read() {
    socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec) return self->close_and_reconnect();
      self->on_bytes(n);
      if (self->connected_) self->read();
    });
  }
  void on_bytes(std::size_t n) {
    if (!assembler_.feed(std::span(buf_.data(), n))) return close_and_reconnect();
    while (auto r = assembler_.next()) {
      if (!r->ok()) {
        ++fleet_.counters->frame_errors;
        spdlog::debug("ykc sim {}: {} {}", pile_.config().pile, ykc::errc_name(r->error().code), r->error().detail);
        continue;
      }
      ++fleet_.counters->frames_received;
      codec_.observe(r->value());
      auto d = codec_.decode(r->value());
      if (!d) {
        ++fleet_.counters->frame_errors;
        spdlog::debug("ykc sim {}: {} {}", pile_.config().pile, ykc::errc_name(d.error().code), d.error().detail);
        continue;
      }
      send(pile_.on_message(d->message, d->seq, now_ms()));
      update_login_state();
      if (pile_.wants_reconnect()) {
        close_after_flush_ = true;
        if (queue_.empty()) close_and_reconnect();
        return;
      }
    }
  }
  void tick() {
    tick_.expires_after(std::chrono::seconds{1});
    tick_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || !self->connected_) return;
      self->send(self->pile_.on_tick(now_ms()));
      if (self->pile_.wants_reconnect()) return self->close_and_reconnect();
      self->tick();
    });
  }
  void update_login_state() {
    const bool now = pile_.logged_in();
    if (now != logged_in_.exchange(now)) fleet_.counters->logged_in += now ? 1 : -1;
  }
  void send(const std::vector<YkcOutgoing>& out) {
    for (const auto& o : out) {
      // Login travels in clear (notes §3); everything after it is encrypted for a keyed pile.
      const bool encrypt = fleet_.cipher.has_value() && ykc::type_of(o.message) != ykc::Login::kType;
      auto bytes = o.reply_to ? codec_.encode_reply(o.message, *o.reply_to, encrypt) : codec_.encode_request(o.message, encrypt);
      if (!bytes) {
        spdlog::warn("ykc sim {}: cannot encode {}: {}", pile_.config().pile, ykc::type_name(ykc::type_of(o.message)),
                     bytes.error().detail);
        continue;
      }
      queue_.push_back(std::move(*bytes));
    }
    if (!writing_ && !queue_.empty()) write();
    std::lock_guard lock(stats_mu_);  // the model's counters, for stats() on other threads
    snapshot_ = pile_.stats();
  }
  void write() {
    writing_ = true;
    asio::async_write(socket_, asio::buffer(queue_.front()), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      self->writing_ = false;
      if (!self->connected_) {  // closed while this write was in flight: drop what was queued
        self->queue_.clear();
        return;
      }
      if (ec) return self->close_and_reconnect();
      ++self->fleet_.counters->frames_sent;
      self->queue_.pop_front();
      if (!self->queue_.empty()) self->write();
      else if (self->close_after_flush_) self->close_and_reconnect();
    });
  }
  void close() {
    if (!connected_) return;
    connected_ = false;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    tick_.cancel();
    if (!writing_) queue_.clear();  // else the pending write's handler clears it (it still reads front())
    close_after_flush_ = false;
    --fleet_.counters->connected;
    ++fleet_.counters->disconnects;
    pile_.on_disconnected();
    update_login_state();
  }
  void close_and_reconnect() {
    close();
    schedule_reconnect();
  }
  void schedule_reconnect() {
    if (stopping_) return;
    std::uniform_real_distribution<double> u(0, 1);
    retry_.expires_after(backoff_delay(fleet_.opts->backoff, attempt_++, u(rng_)));
    retry_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->connect();
    });
  }

  const Fleet& fleet_;
  asio::strand<asio::io_context::executor_type> strand_;
  tcp::socket socket_;
  asio::steady_timer tick_, retry_;
  YkcPile pile_;
  ykc::PileCodec codec_;
  ykc::FrameAssembler assembler_;
  std::array<std::uint8_t, 4096> buf_{};
  std::deque<ykc::Bytes> queue_;
  bool writing_ = false, connected_ = false, stopping_ = false, close_after_flush_ = false;
  std::atomic<bool> logged_in_{false};
  std::mutex stats_mu_;
  YkcPileStats snapshot_;
  unsigned attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace

struct YkcSimulator::Impl {
  YkcSimOptions opts;
  asio::io_context ioc;
  std::unique_ptr<ykc::CipherLibrary> ciphers;
  Fleet fleet;
  Counters counters;
  std::vector<std::shared_ptr<PileConnection>> piles;
  std::mutex mu;
  bool running = false, stop_requested = false;

  void stop_all() {
    for (auto& p : piles) p->stop();  // closes each socket on its strand
    auto grace = std::make_shared<asio::steady_timer>(ioc, std::chrono::milliseconds{300});
    grace->async_wait([this, grace](boost::system::error_code) { ioc.stop(); });
  }
};

YkcSimulator::YkcSimulator(YkcSimOptions opts) : impl_(std::make_unique<Impl>()) { impl_->opts = std::move(opts); }
YkcSimulator::~YkcSimulator() = default;

Status YkcSimulator::run() {
  auto& im = *impl_;
  auto numbers = ykc_pile_numbers(im.opts);
  if (!numbers) return fail(numbers.error());
  auto cipher = ykc_cipher_profile(im.opts);
  if (!cipher) return fail(cipher.error());
  if (im.opts.guns < 1 || im.opts.guns > 99) return fail("invalid_options", "guns must be 1..99");
  if (im.opts.threads < 1) return fail("invalid_options", "threads must be >= 1");
  std::vector<ykc::Card> cards;
  for (const auto& c : im.opts.cards) {
    auto b = ykc::from_hex(c);
    if (!b || b->size() != 8) return fail("invalid_options", "card " + c + " is not 16 hex digits");
    ykc::Card card{};
    std::copy(b->begin(), b->end(), card.begin());
    cards.push_back(card);
  }
  if (*cipher) {
    auto lib = ykc::CipherLibrary::create();
    if (!lib) return fail("crypto_unavailable", lib.error().detail);
    if (!(*lib)->supports((*cipher)->algorithm)) return fail("crypto_unavailable", "OpenSSL cannot do " + im.opts.encryption);
    im.ciphers = std::move(*lib);
  }
  boost::system::error_code ec;
  tcp::resolver resolver(im.ioc);
  im.fleet = Fleet{&im.opts, im.ciphers.get(), *cipher, &im.counters, resolver.resolve(im.opts.host, im.opts.port, ec)};
  if (ec) return fail("invalid_options", "cannot resolve " + im.opts.host + ": " + ec.message());
  std::mt19937_64 seeder(im.opts.seed);
  for (std::size_t i = 0; i < numbers->size(); ++i) {
    YkcPileConfig cfg;
    cfg.pile = (*numbers)[i];
    cfg.guns = im.opts.guns;
    cfg.dc = im.opts.dc;
    cfg.max_power_w = im.opts.dc ? 60000 : 7000;
    cfg.protocol_version = im.opts.options.protocol_version;
    cfg.options = im.opts.options;
    cfg.heartbeat = im.opts.heartbeat;
    cfg.realtime_charging = im.opts.realtime_interval;
    cfg.realtime_idle = im.opts.idle_interval;
    cfg.session_samples_min = im.opts.session_samples_min;
    cfg.session_samples_max = im.opts.session_samples_max;
    cfg.idle_gap_min = im.opts.idle_gap_min;
    cfg.idle_gap_max = im.opts.idle_gap_max;
    cfg.seed = seeder();
    cfg.cards = cards;
    auto pile = std::make_shared<PileConnection>(im.ioc, im.fleet, std::move(cfg));
    const auto delay = im.opts.connect_rate > 0
                           ? std::chrono::milliseconds{static_cast<long long>(1000.0 * static_cast<double>(i) / im.opts.connect_rate)}
                           : std::chrono::milliseconds{0};
    pile->start(delay);
    im.piles.push_back(std::move(pile));
  }
  {
    std::lock_guard lock(im.mu);
    im.running = true;
    if (im.stop_requested) asio::post(im.ioc, [&im] { im.stop_all(); });
  }
  asio::signal_set signals(im.ioc, SIGINT, SIGTERM);
  signals.async_wait([&im](boost::system::error_code e, int) {
    if (!e) im.stop_all();
  });
  asio::steady_timer deadline(im.ioc);
  if (im.opts.duration.count() > 0) {
    deadline.expires_after(im.opts.duration);
    deadline.async_wait([&im](boost::system::error_code e) {
      if (!e) im.stop_all();
    });
  }
  asio::steady_timer progress(im.ioc);
  std::function<void()> report = [&] {
    if (im.opts.stats_interval.count() <= 0) return;
    progress.expires_after(im.opts.stats_interval);
    progress.async_wait([&](boost::system::error_code e) {
      if (e) return;
      std::fprintf(stderr, "ykc sim %s\n", format_stats(stats()).c_str());
      report();
    });
  };
  report();
  std::vector<std::thread> threads;
  for (int t = 1; t < im.opts.threads; ++t) threads.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : threads) t.join();
  return {};
}

void YkcSimulator::stop() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->running) {
    impl_->stop_requested = true;
    return;
  }
  asio::post(impl_->ioc, [im = impl_.get()] { im->stop_all(); });
}

YkcSimStats YkcSimulator::stats() const {
  const auto& c = impl_->counters;
  YkcSimStats s;
  s.piles = static_cast<std::int64_t>(impl_->piles.size());
  s.connected = c.connected.load();
  s.logged_in = c.logged_in.load();
  s.connects = c.connects.load();
  s.connect_failures = c.connect_failures.load();
  s.disconnects = c.disconnects.load();
  s.frames_sent = c.frames_sent.load();
  s.frames_received = c.frames_received.load();
  s.frame_errors = c.frame_errors.load();
  for (const auto& p : impl_->piles) {
    const auto ps = p->stats();
    s.login_refused += ps.login_refused;
    s.realtime += ps.realtime;
    s.sessions_started += ps.sessions_started;
    s.sessions_stopped += ps.sessions_stopped;
    s.records_sent += ps.records_sent;
    s.records_resent += ps.records_resent;
    s.records_confirmed += ps.records_confirmed;
    s.commands += ps.commands;
    s.parallel_starts += ps.parallel_starts;
  }
  return s;
}

int run_ykc_simulator(const YkcSimOptions& opts) {
  YkcSimulator sim(opts);
  auto status = sim.run();
  if (!status) {
    std::fprintf(stderr, "chargeplane sim: %s\n", status.error().message.c_str());
    return 1;
  }
  std::printf("ykc sim done %s\n", format_stats(sim.stats()).c_str());
  return 0;
}

}  // namespace cp::sim
