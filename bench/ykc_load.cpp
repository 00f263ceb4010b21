// YKC load generator (bench/ykc.sh): N piles connect to a YKC listener, log in, then together
// send real-time data (0x13) at a fixed total rate for a measured window. One thread, Asio;
// frames are built with the real codec (encrypted with 3DES when --key is given). Whatever the
// platform sends back is read and discarded. Prints what it sent; the server-side figures
// (frames stored, CPU) are measured by the script.
#include <boost/asio.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "protocol/ykc/cipher.h"
#include "protocol/ykc/codec.h"

namespace asio = boost::asio;
namespace ykc = cp::ykc;
using tcp = asio::ip::tcp;
using namespace std::chrono;

namespace {

struct Args {
  unsigned short port = 8767;
  int piles = 1000;
  double rate = 1000;  // frames/s, all piles together
  int warmup_s = 3, duration_s = 15;
  std::string first = "32010600000000";
  std::string key;  // hex; empty = clear
};

struct Stats {
  long logged_in = 0, sent = 0, sent_window = 0, failed = 0;
};

class Pile : public std::enable_shared_from_this<Pile> {
 public:
  Pile(asio::io_context& io, std::string number, const ykc::CipherLibrary* ciphers, const std::string& key, Stats& st)
      : socket_(io), timer_(io), number_(std::move(number)), stats_(st) {
    std::optional<ykc::CipherProfile> profile;
    if (!key.empty()) {
      profile = ykc::CipherProfile{};
      profile->key = *ykc::from_hex(key);
    }
    codec_ = std::make_unique<ykc::PileCodec>(ciphers, ykc::Options{}, profile);
    encrypted_ = profile.has_value();
  }
  void start(const tcp::endpoint& ep, duration<double> period, duration<double> phase) {
    period_ = period;
    phase_ = phase;
    socket_.async_connect(ep, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return (void)++self->stats_.failed;
      self->socket_.set_option(tcp::no_delay(true));
      ykc::Login l;
      l.pile = self->number_;
      l.gun_count = 1;
      l.firmware = "bench";
      l.sim = std::string(20, '0');
      self->write(*self->codec_->encode_request(l, false));
      self->read();
    });
  }
  bool measuring = false;

 private:
  void read() {
    socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
      if (ec) return;
      if (!self->logged_in_ && n > 0) {  // the first reply is the login's (0x02)
        self->logged_in_ = true;
        ++self->stats_.logged_in;
        self->schedule(self->phase_);
      }
      self->read();
    });
  }
  void schedule(duration<double> after) {
    timer_.expires_after(duration_cast<steady_clock::duration>(after));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      self->send_realtime();
      self->schedule(self->period_);
    });
  }
  void send_realtime() {
    ykc::RealtimeData d;
    d.serial = std::string(32, '0');
    d.pile = number_;
    d.gun = 1;
    d.status = 3;
    d.plugged = 1;
    d.voltage_dv = static_cast<std::uint16_t>(3700 + (counter_ % 100));
    d.current_da = 500;
    d.cable_temp = 80;
    d.soc = static_cast<std::uint8_t>(20 + counter_ % 80);
    d.energy = static_cast<std::uint32_t>(counter_ * 10);
    ++counter_;
    write(*codec_->encode_request(d, encrypted_));
    ++stats_.sent;
    if (window_) ++stats_.sent_window;
  }
  void write(ykc::Bytes bytes) {
    out_.push_back(std::move(bytes));
    if (out_.size() == 1) do_write();
  }
  void do_write() {
    asio::async_write(socket_, asio::buffer(out_.front()), [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
      if (ec) return;
      self->out_.pop_front();
      if (!self->out_.empty()) self->do_write();
    });
  }

  tcp::socket socket_;
  asio::steady_timer timer_;
  std::string number_;
  Stats& stats_;
  std::unique_ptr<ykc::PileCodec> codec_;
  bool encrypted_ = false;
  bool logged_in_ = false;
  std::array<char, 1024> buf_{};
  std::deque<ykc::Bytes> out_;
  duration<double> period_{}, phase_{};
  unsigned long counter_ = 0;

 public:
  static inline bool window_ = false;
};

std::string pile_number(const std::string& first, int i) {
  auto base = std::stoull(first);
  auto s = std::to_string(base + static_cast<unsigned long long>(i));
  return std::string(14 - s.size(), '0') + s;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") a.port = static_cast<unsigned short>(std::stoi(v));
    else if (k == "--piles") a.piles = std::stoi(v);
    else if (k == "--rate") a.rate = std::stod(v);
    else if (k == "--warmup") a.warmup_s = std::stoi(v);
    else if (k == "--duration") a.duration_s = std::stoi(v);
    else if (k == "--first") a.first = v;
    else if (k == "--key") a.key = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  auto ciphers = ykc::CipherLibrary::create();
  if (!ciphers) return 2;
  asio::io_context io(1);
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), a.port);
  Stats st;
  std::vector<std::shared_ptr<Pile>> piles;
  const duration<double> period(a.piles / a.rate);
  for (int i = 0; i < a.piles; ++i) {
    auto p = std::make_shared<Pile>(io, pile_number(a.first, i), ciphers->get(), a.key, st);
    p->start(ep, period, period * (static_cast<double>(i) / a.piles));
    piles.push_back(p);
  }
  asio::steady_timer phase(io);
  const auto t0 = steady_clock::now();
  // Connect and log in (up to 60 s), warm up, then the measured window.
  std::function<void()> tick;
  int stage = 0;
  tick = [&] {
    phase.expires_after(milliseconds(100));
    phase.async_wait([&](boost::system::error_code) {
      const auto now = steady_clock::now();
      if (stage == 0 && (st.logged_in + st.failed >= a.piles || now - t0 > seconds(60))) {
        std::printf("logged_in=%ld failed=%ld connect_s=%.1f\n", st.logged_in, st.failed,
                    duration<double>(now - t0).count());
        std::fflush(stdout);
        stage = 1;
        phase.expires_after(seconds(a.warmup_s));
        return phase.async_wait([&](boost::system::error_code) {
          Pile::window_ = true;
          std::printf("window_start\n");
          std::fflush(stdout);
          phase.expires_after(seconds(a.duration_s));
          phase.async_wait([&](boost::system::error_code) {
            Pile::window_ = false;
            std::printf("window_end sent=%ld rate=%.1f\n", st.sent_window, st.sent_window / double(a.duration_s));
            std::fflush(stdout);
            io.stop();
          });
        });
      }
      tick();
    });
  };
  tick();
  io.run();
  return 0;
}
