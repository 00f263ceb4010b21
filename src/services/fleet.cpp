// Fleet (services/fleet.h): decisions, durable writes and live state for every pile event.
// Pattern for every event that must be kept: build one WriteBatch (plus a coalesced
// TouchPile when due), submit it, and reply from the store's `done` — on the writer thread,
// after COMMIT. Nothing here blocks on the store except its synchronous reads.
#include "services/fleet.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "domain/connector.h"
#include "services/detail/fleet_events.h"

namespace cp::services {
namespace {

enum class Event : std::size_t {
  Boot, Heartbeat, Authorize, Status, TransactionStarted, TransactionEnded, Telemetry,
  DataTransfer, FirmwareStatus, DiagnosticsStatus, FrameRejected, Count
};
constexpr std::array<const char*, static_cast<std::size_t>(Event::Count)> kEventNames{
    "boot", "heartbeat", "authorize", "status", "transaction_started", "transaction_ended",
    "telemetry", "data_transfer", "firmware_status", "diagnostics_status", "frame_rejected"};

// Bounded copy of a refused frame: the adapter truncates already; this is the backstop.
constexpr std::size_t kMaxRejectedRaw = 4096;

using detail::PendingEvent;

void publish(detail::FleetEvents* events, std::optional<PendingEvent> event) {
  if (events && event) events->publish(std::move(*event));
}

std::size_t value_count(const std::vector<domain::MeterSample>& samples) {
  std::size_t n = 0;
  for (const auto& s : samples) n += s.values.size();
  return n;
}

}  // namespace

struct Fleet::Impl {
  Gauge& connected;
  Counter& connections;
  Counter& replaced;
  Counter& invalid_transitions;
  Counter& telemetry_values;
  Counter& write_failures;
  Counter& rejected_dropped;
  std::array<Counter*, static_cast<std::size_t>(Event::Count)> events{};

  std::mutex mu;
  std::unordered_map<domain::PileId, Timestamp> last_seen_written;
  std::unordered_map<std::string, VendorHandler> vendors;
  std::atomic<std::size_t> rejected_in_flight{0};

  explicit Impl(Metrics& m)
      : connected(m.gauge("chargeplane_connected_piles", "Piles with a live session on this node")),
        connections(m.counter("chargeplane_pile_connections_total", "Pile sessions attached")),
        replaced(m.counter("chargeplane_pile_connections_replaced_total",
                           "Sessions closed because the same pile connected again")),
        invalid_transitions(m.counter("chargeplane_connector_invalid_transitions_total",
                                      "Connector status reports the OCPP 1.6 transition table forbids")),
        telemetry_values(m.counter("chargeplane_telemetry_values_total", "Sampled values stored (numeric and raw)")),
        write_failures(m.counter("chargeplane_fleet_write_failures_total", "Pile event writes the store refused")),
        rejected_dropped(m.counter("chargeplane_rejected_frames_dropped_total",
                                   "Rejected-frame audit records dropped because too many were in flight")) {
    for (std::size_t i = 0; i < events.size(); ++i)
      events[i] = &m.counter("chargeplane_pile_events_total", "Pile events handled", {{"event", kEventNames[i]}});
  }

  void count(Event e) { events[static_cast<std::size_t>(e)]->inc(); }
};

Fleet::Fleet(store::Store& store, Registry& registry, const Clock& clock, Metrics& metrics, FleetOptions options,
             EventBus* events, Scheduler* timers)
    : store_(store), registry_(registry), clock_(clock), metrics_(metrics), options_(options),
      impl_(std::make_unique<Impl>(metrics)),
      events_(events ? std::make_unique<detail::FleetEvents>(*events, timers, clock, options.telemetry_event_interval)
                     : nullptr) {}

Fleet::~Fleet() = default;

void Fleet::register_vendor(const std::string& vendor_id, VendorHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->vendors[vendor_id] = std::move(handler);
}

namespace {

// Appends a TouchPile when this pile's durable last_seen is older than the interval.
void touch_if_due(std::mutex& mu, std::unordered_map<domain::PileId, Timestamp>& written,
                  std::chrono::seconds interval, const domain::PileId& pile, Timestamp now,
                  store::WriteBatch& batch) {
  std::lock_guard lock(mu);
  auto [it, inserted] = written.try_emplace(pile, now);
  if (!inserted) {
    if (now - it->second < interval) return;
    it->second = now;
  }
  batch.emplace_back(store::TouchPile{pile, now});
}

Result<domain::Authorization> authorization_for(store::Store& store, const std::string& id_tag, Timestamp now,
                                                bool accept_unknown) {
  using domain::AuthorizationStatus;
  auto record = store.id_tag(id_tag);
  if (!record) return fail(record.error());
  domain::Authorization a;
  if (!record->has_value()) {
    a.status = accept_unknown ? AuthorizationStatus::Accepted : AuthorizationStatus::Invalid;
    return a;
  }
  const auto& tag = **record;
  a.status = domain::authorization_from_string(tag.status).value_or(AuthorizationStatus::Invalid);
  a.expiry = tag.expiry;
  a.parent_id_tag = tag.parent_id_tag;
  if (a.status == AuthorizationStatus::Accepted && tag.expiry && *tag.expiry <= now)
    a.status = AuthorizationStatus::Expired;
  return a;
}

}  // namespace

std::shared_ptr<PileLink> Fleet::connected(const domain::PileId& pile, std::shared_ptr<PileLink> link) {
  const auto now = clock_.now();
  const auto remote = events_ && events_->listening() && link ? link->remote_address() : std::string{};
  auto previous = registry_.attach(pile, std::move(link), now);
  impl_->connections.inc();
  if (previous) impl_->replaced.inc();
  impl_->connected.set(static_cast<std::int64_t>(registry_.online_count()));
  store::WriteBatch batch;
  touch_if_due(impl_->mu, impl_->last_seen_written, options_.last_seen_write_interval, pile, now, batch);
  if (!batch.empty()) store_.submit(std::move(batch), [](const Status&) {});
  if (events_) publish(events_.get(), events_->render_online(pile, now, remote, previous != nullptr));
  spdlog::info("pile_connected pile={} replaced={}", pile, previous != nullptr);
  if (connected_hook_) connected_hook_(pile);
  return previous;
}

void Fleet::disconnected(const domain::PileId& pile, const PileLink* link) {
  const auto now = clock_.now();
  const bool went_offline = registry_.detach(pile, link, now);
  // Set, not decremented: a pile deleted while connected has already left the count.
  impl_->connected.set(static_cast<std::int64_t>(registry_.online_count()));
  if (!went_offline) return;  // a newer session owns the pile, or the pile was deleted
  {
    std::lock_guard lock(impl_->mu);
    impl_->last_seen_written[pile] = now;
  }
  store_.submit({store::TouchPile{pile, now}}, [](const Status&) {});
  if (events_) {
    events_->forget(pile);
    publish(events_.get(), events_->render_offline(pile, now));
  }
  spdlog::info("pile_disconnected pile={}", pile);
}

void Fleet::booted(domain::PileBooted boot, domain::Reply<domain::BootDecision> reply) {
  impl_->count(Event::Boot);
  const auto now = clock_.now();
  const int heartbeat = acquisition_ ? acquisition_->effective(boot.pile).heartbeat_interval_s : options_.heartbeat_interval_s;
  domain::BootDecision decision{domain::Registration::Rejected, heartbeat, now};
  if (auto live = registry_.get(boot.pile)) {
    decision.status = domain::registration_from_string(live->registration).value_or(domain::Registration::Rejected);
  } else {
    auto stored = store_.pile(boot.pile);
    if (!stored) return reply(fail(stored.error()));
    if (stored->has_value())
      decision.status = domain::registration_from_string((*stored)->registration).value_or(domain::Registration::Rejected);
  }
  store::WriteBatch batch{store::RecordBoot{boot}};
  touch_if_due(impl_->mu, impl_->last_seen_written, options_.last_seen_write_interval, boot.pile, now, batch);
  store_.submit(std::move(batch), [this, boot = std::move(boot), decision, now, reply = std::move(reply)](const Status& s) {
    if (!s) {
      impl_->write_failures.inc();
      return reply(fail(s.error()));
    }
    registry_.on_boot(boot);
    if (events_) publish(events_.get(), events_->render_booted(boot, decision.status, now));
    spdlog::info("pile_booted pile={} vendor={} model={} firmware={} registration={}", boot.pile, boot.vendor,
                 boot.model, boot.firmware, domain::to_string(decision.status));
    reply(decision);
  });
}

void Fleet::heartbeat(const domain::PileId& pile, domain::Reply<Timestamp> reply) {
  impl_->count(Event::Heartbeat);
  const auto now = clock_.now();
  registry_.on_seen(pile, now);
  store::WriteBatch batch;
  touch_if_due(impl_->mu, impl_->last_seen_written, options_.last_seen_write_interval, pile, now, batch);
  if (!batch.empty()) {
    store_.submit(std::move(batch), [this](const Status& s) {
      if (!s) impl_->write_failures.inc();  // last_seen is best effort; the next one retries
    });
  }
  reply(now);
}

void Fleet::authorize(const domain::PileId& pile, const std::string& id_tag, domain::Reply<domain::Authorization> reply) {
  impl_->count(Event::Authorize);
  const auto now = clock_.now();
  registry_.on_seen(pile, now);
  reply(authorization_for(store_, id_tag, now, options_.accept_unknown_id_tags));
}

void Fleet::connector_status(domain::ConnectorStatusChanged change, domain::Done done) {
  impl_->count(Event::Status);
  const auto now = clock_.now();
  registry_.on_seen(change.pile, now);
  // Applied to the live state at once: the pile is the truth about its hardware, even when it
  // reports a transition the table forbids (those are only counted).
  const auto previous = registry_.exchange_connector_status(change);
  const auto check = domain::check_transition(change.connector, previous, change.status);
  if (!check.valid) {
    impl_->invalid_transitions.inc();
    spdlog::info("connector_invalid_transition pile={} connector={} from={} to={} recognised={}", change.pile,
                 change.connector, previous, change.status, check.recognised);
  }
  store::ConnectorRecord record{change.pile,      change.connector,          change.status,
                                change.error_code.empty() ? "NoError" : change.error_code,
                                change.vendor_error_code, change.info, change.at};
  auto batch = store::batch_of(1, store::UpsertConnector{std::move(record)});
  touch_if_due(impl_->mu, impl_->last_seen_written, options_.last_seen_write_interval, change.pile, now, batch);
  auto event = events_ ? events_->render_connector_status(change, previous, now) : std::nullopt;
  store_.submit(std::move(batch), [this, event = std::move(event), done = std::move(done)](const Status& s) mutable {
    if (!s) impl_->write_failures.inc();
    else publish(events_.get(), std::move(event));
    done(s);
  });
}

void Fleet::transaction_started(domain::TransactionStarted start, domain::Reply<domain::TransactionDecision> reply) {
  impl_->count(Event::TransactionStarted);
  const auto now = clock_.now();
  registry_.on_seen(start.pile, now);
  // OCPP 1.6 §4.8: the transaction is recorded whatever the tag's status; the pile decides
  // what to do with a non-Accepted idTagInfo.
  auto auth = authorization_for(store_, start.id_tag, now, options_.accept_unknown_id_tags);
  if (!auth) return reply(fail(auth.error()));
  if (!start.external_id.empty()) {  // the pile named it: a repeated start finds the first
    auto known = store_.transaction_by_external_id(start.pile, start.external_id);
    if (!known) return reply(fail(known.error()));
    if (known->has_value()) return reply(domain::TransactionDecision{(*known)->id, std::move(*auth)});
  }
  domain::TransactionDecision decision{store_.next_transaction_id(), std::move(*auth)};
  store::TransactionRecord tx;
  tx.id = decision.transaction;
  tx.pile = start.pile;
  tx.connector = start.connector;
  tx.id_tag = start.id_tag;
  tx.meter_start_wh = start.meter_start_wh;
  tx.started = start.at;
  tx.external_id = start.external_id;
  auto batch = store::batch_of(1, store::StartTransaction{std::move(tx)});
  touch_if_due(impl_->mu, impl_->last_seen_written, options_.last_seen_write_interval, start.pile, now, batch);
  auto event = events_ ? events_->render_transaction_started(start, decision.transaction,
                                                             decision.authorization.status, now)
                       : std::nullopt;
  store_.submit(std::move(batch), [this, pile = start.pile, connector = start.connector, decision,
                                   event = std::move(event), reply = std::move(reply)](const Status& s) mutable {
    if (!s) {
      impl_->write_failures.inc();
      return reply(fail(s.error()));
    }
    registry_.on_transaction(pile, connector, decision.transaction);
    publish(events_.get(), std::move(event));
    reply(decision);
  });
}

void Fleet::transaction_ended(domain::TransactionEnded end,
                              domain::Reply<std::optional<domain::Authorization>> reply) {
  impl_->count(Event::TransactionEnded);
  const auto now = clock_.now();
  registry_.on_seen(end.pile, now);
  std::optional<domain::Authorization> auth;
  if (!end.id_tag.empty()) {
    auto a = authorization_for(store_, end.id_tag, now, options_.accept_unknown_id_tags);
    if (!a) return reply(fail(a.error()));
    auth = std::move(*a);
  }
  // The transaction's connector, for its meter rows: live state first, then the stored record.
  int connector = 0;
  bool found = false;
  if (auto live = registry_.get(end.pile)) {
    for (const auto& c : live->connectors)
      if (c.transaction == end.transaction) connector = c.connector, found = true;
  }
  if (!found) {
    if (auto stored = store_.transaction(end.transaction); stored && stored->has_value()) connector = (*stored)->connector;
  }
  auto event = events_ ? events_->render_transaction_ended(end, connector, now) : std::nullopt;
  auto batch = store::batch_of(2, store::StopTransaction{end.transaction, end.meter_stop_wh, end.at,
                                                        end.reason.empty() ? "Local" : end.reason, end.id_tag,
                                                        end.meter_start_wh});
  const auto values = value_count(end.transaction_data);
  if (values > 0) {
    batch.emplace_back(store::InsertTelemetry{
        end.pile, connector, end.transaction,
        std::make_shared<const std::vector<domain::MeterSample>>(std::move(end.transaction_data))});
  }
  touch_if_due(impl_->mu, impl_->last_seen_written, options_.last_seen_write_interval, end.pile, now, batch);
  store_.submit(std::move(batch), [this, pile = end.pile, tx = end.transaction, values, auth = std::move(auth),
                                   event = std::move(event), reply = std::move(reply)](const Status& s) mutable {
    if (!s) {
      impl_->write_failures.inc();
      return reply(fail(s.error()));
    }
    impl_->telemetry_values.inc(values);
    registry_.end_transaction(pile, tx);
    publish(events_.get(), std::move(event));
    reply(auth);
  });
}

void Fleet::telemetry(domain::TelemetrySampled sample, domain::Done done) {
  impl_->count(Event::Telemetry);
  const auto now = clock_.now();
  if (acquisition_) acquisition_->filter(sample);  // acknowledged either way; shed before storage
  const auto values = value_count(sample.samples);
  if (values == 0) {  // nothing to keep
    registry_.on_seen(sample.pile, now);
    return done(Status{});
  }
  // One owner for the event: the store reads its samples (aliasing pointer, no copy) and the
  // live state takes them after COMMIT.
  auto shared = std::make_shared<const domain::TelemetrySampled>(std::move(sample));
  auto batch = store::batch_of(1, store::InsertTelemetry{
      shared->pile, shared->connector, shared->transaction,
      std::shared_ptr<const std::vector<domain::MeterSample>>(shared, &shared->samples)});
  touch_if_due(impl_->mu, impl_->last_seen_written, options_.last_seen_write_interval, shared->pile, now, batch);
  store_.submit(std::move(batch), [this, shared = std::move(shared), values, now, done = std::move(done)](const Status& s) {
    if (!s) {
      impl_->write_failures.inc();
      registry_.on_seen(shared->pile, now);
      return done(s);
    }
    impl_->telemetry_values.inc(values);
    // Last seen and last values in one registry update, on this thread (the writer's, after
    // COMMIT) rather than a second exclusive lock on the I/O thread per message.
    registry_.on_telemetry(*shared, now);
    if (events_) events_->telemetry(*shared, now);
    done(s);
  });
}

void Fleet::data_transfer(domain::DataTransferReceived message, domain::Reply<DataTransferOutcome> reply) {
  impl_->count(Event::DataTransfer);
  registry_.on_seen(message.pile, clock_.now());
  VendorHandler handler;
  {
    std::lock_guard lock(impl_->mu);
    if (auto it = impl_->vendors.find(message.vendor_id); it != impl_->vendors.end()) handler = it->second;
  }
  auto outcome = handler ? handler(message) : DataTransferOutcome{"UnknownVendorId", {}};
  store_.submit({store::InsertDataTransfer{std::move(message)}},
                [this, outcome = std::move(outcome), reply = std::move(reply)](const Status& s) {
                  if (!s) {
                    impl_->write_failures.inc();
                    return reply(fail(s.error()));
                  }
                  reply(outcome);
                });
}

void Fleet::firmware_status(domain::FirmwareStatusReported report, domain::Done done) {
  impl_->count(Event::FirmwareStatus);
  const auto now = clock_.now();
  registry_.on_seen(report.pile, now);
  auto event = events_ ? events_->render_status_report("firmware", report.pile, report.status, report.at, now)
                       : std::nullopt;
  store_.submit({store::RecordPileStatusReport{report.pile, "firmware", report.status, report.at}},
                [this, event = std::move(event), done = std::move(done)](const Status& s) mutable {
                  if (!s) impl_->write_failures.inc();
                  else publish(events_.get(), std::move(event));
                  done(s);
                });
}

void Fleet::diagnostics_status(domain::DiagnosticsStatusReported report, domain::Done done) {
  impl_->count(Event::DiagnosticsStatus);
  const auto now = clock_.now();
  registry_.on_seen(report.pile, now);
  auto event = events_ ? events_->render_status_report("diagnostics", report.pile, report.status, report.at, now)
                       : std::nullopt;
  store_.submit({store::RecordPileStatusReport{report.pile, "diagnostics", report.status, report.at}},
                [this, event = std::move(event), done = std::move(done)](const Status& s) mutable {
                  if (!s) impl_->write_failures.inc();
                  else publish(events_.get(), std::move(event));
                  done(s);
                });
}

void Fleet::frame_rejected(domain::FrameRejected rejected) {
  impl_->count(Event::FrameRejected);
  if (impl_->rejected_in_flight.fetch_add(1) >= options_.max_pending_rejected_frames) {
    impl_->rejected_in_flight.fetch_sub(1);
    impl_->rejected_dropped.inc();
    return;
  }
  if (rejected.raw.size() > kMaxRejectedRaw) rejected.raw.resize(kMaxRejectedRaw);
  store::RejectedFrame frame{std::move(rejected.pile), rejected.at, domain::to_string(rejected.protocol),
                             std::move(rejected.error_code), std::move(rejected.detail), std::move(rejected.raw)};
  store_.submit({store::InsertRejectedFrame{std::move(frame)}}, [this](const Status& s) {
    impl_->rejected_in_flight.fetch_sub(1);
    if (!s) impl_->write_failures.inc();
  });
}

}  // namespace cp::services
