// The fleet: options checked, piles spawned with a connect ramp, the io_context run on the
// configured threads until the duration, a signal or stop(); progress and summary lines.
#include "sim/simulator.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "sim/detail/charge_point.h"
#include "sim/detail/counters.h"
#include "sim/detail/url.h"

namespace cp::sim {
namespace asio = boost::asio;

namespace {

Status check_options(const SimOptions& o) {
  if (o.connectors < 1 || o.connectors > 32) return fail("invalid_options", "connectors must be 1..32");
  if (o.threads < 1) return fail("invalid_options", "threads must be >= 1");
  if (o.meter_interval.count() < 1) return fail("invalid_options", "meter interval must be >= 1 s");
  if (o.id_tags.empty()) return fail("invalid_options", "at least one id tag is needed");
  for (const auto& t : o.id_tags)
    if (t.empty() || t.size() > 20) return fail("invalid_options", "id tags are 1..20 characters (IdToken)");
  if (o.session_samples_min < 1) return fail("invalid_options", "a session has at least one meter sample");
  if (o.call_timeout.count() < 1) return fail("invalid_options", "call timeout must be >= 1 s");
  auto url = parse_url(o.url);
  if (!url || url->scheme != "ws") return fail("invalid_options", "url must be ws://host:port/path (wss is not supported)");
  return {};
}

Result<std::unordered_map<std::string, std::string>> read_password_file(const std::string& path,
                                                                       std::vector<std::string>& order) {
  std::ifstream in(path);
  if (!in) return fail("invalid_options", "cannot read password file " + path);
  std::unordered_map<std::string, std::string> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream fields(line);
    std::string id, password, extra;
    if (!(fields >> id) || id.front() == '#') continue;
    if (!(fields >> password) || (fields >> extra))
      return fail("invalid_options", fmt::format("{}:{}: expected 'pileId password'", path, n));
    if (out.emplace(id, password).second) order.push_back(id);
  }
  return out;
}

}  // namespace

Result<std::vector<PileCredential>> pile_credentials(const SimOptions& opts) {
  std::vector<std::string> file_order;
  std::unordered_map<std::string, std::string> file;
  if (!opts.password_file.empty()) {
    auto f = read_password_file(opts.password_file, file_order);
    if (!f) return fail(f.error());
    file = std::move(*f);
  } else if (opts.password.empty()) {
    return fail("invalid_options", "a password or a password file is required");
  }
  std::vector<std::string> ids;
  if (opts.piles == 0 && !opts.password_file.empty()) {
    ids = file_order;
  } else {
    if (opts.piles < 1) return fail("invalid_options", "piles must be >= 1");
    const int width = std::max(5, static_cast<int>(std::to_string(opts.piles).size()));
    for (int i = 1; i <= opts.piles; ++i) ids.push_back(fmt::format("{}-{:0{}}", opts.prefix, i, width));
  }
  std::vector<PileCredential> out;
  out.reserve(ids.size());
  for (auto& id : ids) {
    // The id is a URL path segment and OCPP's chargeBoxIdentity (CiString48).
    if (id.empty() || id.size() > 48 || id.find_first_of("/?#% ") != std::string::npos)
      return fail("invalid_options", "pile id '" + id + "' is not a valid charge point identity");
    std::string password = opts.password;
    if (!opts.password_file.empty()) {
      auto it = file.find(id);
      if (it == file.end()) return fail("invalid_options", "pile " + id + " is not in the password file");
      password = it->second;
    }
    out.push_back({std::move(id), std::move(password)});
  }
  return out;
}

std::string format_stats(const SimStats& s) {
  return fmt::format(
      "piles={} connected={} booted={} connects={} connect_failures={} rejected={} disconnects={} calls_ok={} "
      "calls_error={} calls_timeout={} server_calls={} tx_started={} tx_stopped={} meter_values={} "
      "latency_p50_ms={:.2f} latency_p99_ms={:.2f} latency_max_ms={:.2f}",
      s.piles, s.connected, s.booted, s.connects, s.connect_failures, s.handshake_rejected, s.disconnects, s.calls_ok,
      s.calls_error, s.calls_timeout, s.server_calls, s.transactions_started, s.transactions_stopped, s.meter_values,
      s.latency_p50_ms, s.latency_p99_ms, s.latency_max_ms);
}

struct Simulator::Impl {
  SimOptions opts;
  asio::io_context ioc;
  Counters counters;
  detail::FleetContext fleet;
  std::vector<std::shared_ptr<detail::PileHandle>> piles;
  std::mutex mu;
  bool stop_requested = false;
  bool running = false;

  explicit Impl(SimOptions o) : opts(std::move(o)), ioc(opts.threads) {}
  void stop_all();
};

Simulator::Simulator(SimOptions opts) : impl_(std::make_unique<Impl>(std::move(opts))) {}
Simulator::~Simulator() = default;

void Simulator::Impl::stop_all() {
  {
    std::lock_guard lock(mu);
    if (stop_requested) return;
    stop_requested = true;
  }
  for (auto& p : piles) p->stop();
  // Piles close with a normal closure; whatever has not closed within the grace period is cut off.
  auto poll = std::make_shared<asio::steady_timer>(ioc);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{3};
  auto check = std::make_shared<std::function<void()>>();
  *check = [this, poll, deadline, check] {
    if (counters.connected.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
      ioc.stop();
      *check = nullptr;  // break the self-reference
      return;
    }
    poll->expires_after(std::chrono::milliseconds{50});
    poll->async_wait([check](boost::system::error_code) {
      if (*check) (*check)();
    });
  };
  (*check)();
}

Status Simulator::run() {
  if (auto s = check_options(impl_->opts); !s) return s;
  auto creds = pile_credentials(impl_->opts);
  if (!creds) return fail(creds.error());
  auto& im = *impl_;
  const auto url = *parse_url(im.opts.url);
  im.fleet = detail::FleetContext{&im.opts, {url.host, url.port, url.path}, &im.counters};
  std::mt19937_64 seeder(im.opts.seed);
  for (std::size_t i = 0; i < creds->size(); ++i) {
    const auto delay = im.opts.connect_rate > 0
                           ? std::chrono::milliseconds{static_cast<long long>(1000.0 * static_cast<double>(i) / im.opts.connect_rate)}
                           : std::chrono::milliseconds{0};
    im.piles.push_back(detail::spawn_charge_point(im.ioc, im.fleet, (*creds)[i], seeder(), delay));
  }
  {
    std::lock_guard lock(im.mu);
    im.running = true;
    if (im.stop_requested) {  // stop() raced ahead of run(): honour it now
      im.stop_requested = false;
      asio::post(im.ioc, [&im] { im.stop_all(); });
    }
  }
  asio::signal_set signals(im.ioc, SIGINT, SIGTERM);
  signals.async_wait([&im](boost::system::error_code ec, int) {
    if (!ec) im.stop_all();
  });
  asio::steady_timer deadline(im.ioc);
  if (im.opts.duration.count() > 0) {
    deadline.expires_after(im.opts.duration);
    deadline.async_wait([&im](boost::system::error_code ec) {
      if (!ec) im.stop_all();
    });
  }
  asio::steady_timer progress(im.ioc);
  std::function<void()> report = [&] {
    if (im.opts.stats_interval.count() <= 0) return;
    progress.expires_after(im.opts.stats_interval);
    progress.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      std::fprintf(stderr, "sim %s\n", format_stats(stats()).c_str());
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

void Simulator::stop() {
  std::lock_guard lock(impl_->mu);
  if (!impl_->running) {
    impl_->stop_requested = true;
    return;
  }
  asio::post(impl_->ioc, [im = impl_.get()] { im->stop_all(); });
}

SimStats Simulator::stats() const {
  const auto& c = impl_->counters;
  SimStats s;
  s.piles = static_cast<std::int64_t>(impl_->piles.size());
  s.connected = c.connected.load();
  s.booted = c.booted.load();
  s.connects = c.connects.load();
  s.connect_failures = c.connect_failures.load();
  s.handshake_rejected = c.handshake_rejected.load();
  s.disconnects = c.disconnects.load();
  s.calls_ok = c.calls_ok.load();
  s.calls_error = c.calls_error.load();
  s.calls_timeout = c.calls_timeout.load();
  s.server_calls = c.server_calls.load();
  s.transactions_started = c.transactions_started.load();
  s.transactions_stopped = c.transactions_stopped.load();
  s.meter_values = c.meter_values.load();
  s.latency_p50_ms = c.latency.quantile_ms(0.50);
  s.latency_p99_ms = c.latency.quantile_ms(0.99);
  s.latency_max_ms = c.latency.max_ms();
  return s;
}

int run_simulator(const SimOptions& opts) {
  Simulator sim(opts);
  auto status = sim.run();
  if (!status) {
    std::fprintf(stderr, "chargeplane sim: %s\n", status.error().message.c_str());
    return 1;
  }
  std::printf("sim done %s\n", format_stats(sim.stats()).c_str());
  return 0;
}

}  // namespace cp::sim
