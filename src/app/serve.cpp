#include "app/serve.h"

#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "api/server.h"
#include "core/io_loop.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/scheduler.h"
#include "gateway/ocpp_listener.h"
#include "gateway/ykc_listener.h"
#include "protocol/ykc/cipher.h"
#include "protocol/ykc/pile_settings.h"
#include "services/acquisition.h"
#include "services/auth.h"
#include "services/config_jobs.h"
#include "protocol/ocpp/v16/command_runner.h"
#include "services/control.h"
#include "services/event_bus.h"
#include "services/fleet.h"
#include "services/pile_keys.h"
#include "services/registry.h"
#include "store/store.h"

namespace cp::app {

long raise_open_file_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return -1;
  const auto before = lim.rlim_cur;
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0) lim.rlim_cur = before;
  }
  spdlog::info("serve.open_files soft_before={} soft={} hard={}", before, lim.rlim_cur, lim.rlim_max);
  return static_cast<long>(lim.rlim_cur);
}

namespace {

// The first admin: CHARGEPLANE_ADMIN_PASSWORD, or a random one printed once (only when the
// user is created; an existing admin keeps its password).
Status ensure_admin(store::Store& store, services::ApiAuth& auth) {
  auto existing = store.user("admin");
  if (!existing) return fail(existing.error());
  const char* env = std::getenv("CHARGEPLANE_ADMIN_PASSWORD");
  if (existing->has_value()) {
    if (env) spdlog::info("serve.admin_exists note=\"CHARGEPLANE_ADMIN_PASSWORD ignored; the stored password stays\"");
    return {};
  }
  std::string password = env ? env : services::random_secret(18);
  if (auto s = auth.ensure_user("admin", password, services::Role::Admin); !s) return s;
  if (!env) {
    std::printf("chargeplane: created user 'admin' with generated password: %s\n"
                "chargeplane: (shown once; set CHARGEPLANE_ADMIN_PASSWORD to choose it)\n",
                password.c_str());
    std::fflush(stdout);
  }
  spdlog::info("serve.admin_created user=admin source={}", env ? "environment" : "generated");
  return {};
}

}  // namespace

int run_serve(const ServeConfig& c) {
  std::signal(SIGPIPE, SIG_IGN);  // a peer vanishing mid-write is an error code, not a signal
  umask(077);                     // the database holds credential hashes: owner-only files
  raise_open_file_limit();
#ifdef CP_ALLOCATOR
  spdlog::info("serve.allocator name={}", CP_ALLOCATOR);
#else
  spdlog::info("serve.allocator name=system");
#endif
  auto ocpp_addr = parse_host_port(c.listen_ocpp);
  auto api_addr = parse_host_port(c.listen_api);
  auto ykc_addr = parse_host_port(c.listen_ykc);
  if (!ocpp_addr || !api_addr || !ykc_addr) {
    spdlog::error("serve.invalid_config error=\"{}\"",
                  (!ocpp_addr ? ocpp_addr.error() : !api_addr ? api_addr.error() : ykc_addr.error()).message);
    return 2;
  }
  std::error_code fs_ec;
  std::filesystem::create_directories(c.data_dir, fs_ec);
  if (fs_ec) {
    spdlog::error("serve.data_dir_failed dir={} error=\"{}\"", c.data_dir, fs_ec.message());
    return 2;
  }

  Metrics metrics;
  SystemClock clock;
  store::SqliteOptions store_options;
  store_options.path = (std::filesystem::path(c.data_dir) / "chargeplane.db").string();
  store_options.synchronous_full = c.synchronous_full;
  store_options.commit_delay_us = c.commit_delay_us;
  store_options.metrics = &metrics;
  auto opened = store::open_sqlite(store_options);
  if (!opened) {
    spdlog::error("serve.store_failed path={} error=\"{}\"", store_options.path, opened.error().message);
    return 2;
  }
  auto& store = **opened;

  services::Registry registry;
  {
    auto piles = store.piles();
    if (!piles) {
      spdlog::error("serve.load_failed error=\"{}\"", piles.error().message);
      return 2;
    }
    std::vector<store::ConnectorRecord> connectors;
    for (const auto& p : *piles) {
      auto cs = store.connectors(p.id);
      if (cs) connectors.insert(connectors.end(), cs->begin(), cs->end());
    }
    registry.load(*piles, connectors);
    spdlog::info("serve.registry_loaded piles={} connectors={}", piles->size(), connectors.size());
  }

  // Live events: one bus for every publisher (Fleet here; jobs and commands take it too).
  // The io_context comes first so services can schedule work on it; it is run only below.
  // Event ids start at the wall clock in microseconds: they keep increasing across restarts, so a
  // client's Last-Event-ID from an earlier run is recognised as not replayable (never ~2^53, the
  // largest integer a browser reads exactly, before the year 2255).
  services::EventBusOptions bus_options;
  bus_options.first_seq = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                                          std::chrono::system_clock::now().time_since_epoch())
                                                          .count());
  bus_options.replay_events = 4096;
  bus_options.keep_listening = std::chrono::seconds(60);
  services::EventBus events(metrics, bus_options);
  const int threads = c.threads > 0 ? c.threads : std::max(1u, std::thread::hardware_concurrency());
  boost::asio::io_context io(threads);
  auto timers = make_asio_scheduler(io);

  services::FleetOptions fleet_options;
  fleet_options.heartbeat_interval_s = c.heartbeat_interval_s;
  fleet_options.accept_unknown_id_tags = c.accept_unknown_id_tags;
  fleet_options.telemetry_event_interval = std::chrono::milliseconds(c.events_telemetry_interval_ms);
  services::Fleet fleet(store, registry, clock, metrics, fleet_options, &events, timers.get());
  services::AcquisitionPolicies acquisition(
      services::EffectivePolicy{0, c.heartbeat_interval_s, 0, {}}, metrics);
  if (auto policies = store.acquisition_policies(); policies) {
    acquisition.load(*policies);
  } else {
    spdlog::error("serve.load_failed error=\"{}\"", policies.error().message);
    return 2;
  }
  fleet.set_acquisition(&acquisition);
  services::PileAuthenticator pile_auth(store);
  // Pile frame-encryption keys are sealed under a key-encryption key kept beside, not inside,
  // the database (services/pile_keys.h).
  const auto kek_path = (std::filesystem::path(c.data_dir) / "pile-keys.kek").string();
  auto key_vault = services::PileKeyVault::open_file(kek_path);
  if (!key_vault) {
    spdlog::error("serve.key_vault_failed error=\"{}\"", key_vault.error().message);
    return 2;
  }
  services::ApiAuth api_auth(store, clock);
  if (auto s = api_auth.load(); !s) {
    spdlog::error("serve.load_failed error=\"{}\"", s.error().message);
    return 2;
  }
  if (auto s = ensure_admin(store, api_auth); !s) {
    spdlog::error("serve.admin_failed error=\"{}\"", s.error().message);
    return 2;
  }

  auto job_scheduler = make_asio_scheduler(io);
  services::ConfigJobsOptions job_options;
  job_options.max_in_flight = static_cast<std::size_t>(std::max(1, c.jobs_max_in_flight));
  job_options.piles_per_second = c.jobs_piles_per_second;
  services::ConfigJobs config_jobs(store, registry, &events, *job_scheduler, clock, metrics, job_options);
  if (auto s = config_jobs.resume(); !s) {
    spdlog::error("serve.load_failed error=\"{}\"", s.error().message);
    return 2;
  }
  fleet.on_connected([&config_jobs](const domain::PileId& pile) { config_jobs.pile_online(pile); });

  // Remote control: commands a crash left unanswered are marked Interrupted before any pile
  // can connect. Lifetime: store.close() below runs Control's last store callbacks while it is
  // alive; Control is destroyed before io, and destroying io drops sessions (and their command
  // observers) without calling them.
  services::Control control(store, registry, events, clock, metrics,
                            [&io](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); });
  // A command an OCPP 1.6 pile could only refuse as an invalid CALL is refused at the API (422).
  control.check_commands_for("ocpp1.6", &ocpp::v16::check_command);
  if (auto n = control.recover_interrupted(); !n) {
    spdlog::error("serve.recover_failed error=\"{}\"", n.error().message);
    return 2;
  } else if (*n > 0) {
    spdlog::warn("serve.commands_interrupted count={}", *n);
  }

  gateway::OcppListenerOptions ocpp_options;
  ocpp_options.host = ocpp_addr->host;
  ocpp_options.port = ocpp_addr->port;
  ocpp_options.max_message_bytes = c.max_message_bytes;
  ocpp_options.messages_per_second = c.messages_per_second;
  ocpp_options.message_burst = c.message_burst;
  ocpp_options.call_timeout = std::chrono::seconds(c.call_timeout_s);
  ocpp_options.idle_timeout = std::chrono::seconds(c.idle_timeout_s);
  ocpp_options.single_io_thread = threads == 1;
  gateway::OcppListener ocpp(io, ocpp_options, fleet, pile_auth, clock, metrics);
  if (auto s = ocpp.start(); !s) {
    spdlog::error("serve.listen_failed error=\"{}\"", s.error().message);
    return 2;
  }

  // YKC: one cipher library for every connection (single DES needs OpenSSL's legacy provider;
  // without it DES piles fail per frame with crypto_unavailable, 3DES still works).
  auto ykc_ciphers = ykc::CipherLibrary::create();
  if (!ykc_ciphers) spdlog::warn("serve.ykc_ciphers_unavailable error=\"{}\"", ykc_ciphers.error().detail);
  services::PileTransports transports(store, *key_vault);
  gateway::YkcListenerOptions ykc_options;
  ykc_options.host = ykc_addr->host;
  ykc_options.port = ykc_addr->port;
  ykc_options.heartbeat_timeout = std::chrono::seconds(c.ykc_heartbeat_timeout_s);
  ykc_options.command_timeout = std::chrono::seconds(c.ykc_command_timeout_s);
  ykc_options.frames_per_second = c.ykc_frames_per_second;
  ykc_options.frame_burst = c.ykc_frame_burst;
  ykc_options.single_io_thread = threads == 1;
  gateway::YkcListener ykc_listener(io, ykc_options, fleet, transports, ykc_ciphers ? ykc_ciphers->get() : nullptr,
                                    clock, metrics);
  if (auto s = ykc_listener.start(); !s) {
    spdlog::error("serve.listen_failed error=\"{}\"", s.error().message);
    return 2;
  }

  api::ApiContext api_context{store, registry, api_auth, pile_auth, metrics, clock};
  api_context.config_jobs = &config_jobs;
  api_context.acquisition = &acquisition;
  api_context.events = &events;
  api_context.options.events.max_queue_events = c.events_queue_events;
  api_context.options.events.max_queue_bytes = c.events_queue_bytes;
  api_context.options.events.ticket_ttl = std::chrono::seconds(c.events_ticket_ttl_s);
  api_context.control = &control;
  api_context.options.web_root = resolve_web_root(c.web_root);
  api_context.key_vault = &*key_vault;
  api_context.protocol_options = [](std::string_view protocol, std::string_view current,
                                    std::string_view patch) -> Result<std::string> {
    if (protocol != "ykc") return fail("invalid_field", std::string(protocol) + " piles take no protocol options");
    return ykc::canonical_settings(current, patch);
  };
  api::ApiServer api(io, api_addr->host, api_addr->port, api_context);
  if (auto s = api.start(); !s) {
    spdlog::error("serve.listen_failed error=\"{}\"", s.error().message);
    return 2;
  }

  std::thread stopper;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    spdlog::info("serve.stopping signal={}", signo);
    ocpp.stop();
    ykc_listener.stop();
    api.stop();
    config_jobs.stop();
    // Let sessions exchange close frames and in-flight writes commit, then stop the loop.
    stopper = std::thread([&] {
      for (int i = 0; i < 50 && (ocpp.session_count() > 0 || ykc_listener.session_count() > 0 ||
                                 api.event_streams() > 0);
           ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
      store.flush();
      io.stop();
    });
  });

  std::printf("chargeplane ready ocpp=ws://%s:%u/ocpp api=http://%s:%u ykc=tcp://%s:%u\n", ocpp_addr->host.c_str(),
              unsigned(ocpp.port()), api_addr->host.c_str(), unsigned(api.port()), ykc_addr->host.c_str(),
              unsigned(ykc_listener.port()));
  std::fflush(stdout);
  spdlog::info("serve.ready ocpp_port={} api_port={} ykc_port={} threads={} io_coalesce_us={} data_dir={}", ocpp.port(),
               api.port(), ykc_listener.port(), threads, c.io_coalesce_us, c.data_dir);

  IoLoopOptions loop;
  loop.pause = std::chrono::microseconds(c.io_coalesce_us);
  loop.pauses = &metrics.counter("chargeplane_io_pauses_total",
                                 "Times an I/O thread paused after a busy round to gather events (--io-coalesce)");
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io, &loop] { run_io_loop(io, loop); });
  run_io_loop(io, loop);
  for (auto& t : pool) t.join();
  if (stopper.joinable()) stopper.join();
  store.flush();
  store.close();
  spdlog::info("serve.stopped");
  return 0;
}

}  // namespace cp::app
