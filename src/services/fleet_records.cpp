// Fleet::transaction_recorded (services/fleet.h): a finished transaction reported in one record
// (YKC 0x3B), idempotent on the pile's own reference.
#include <spdlog/spdlog.h>

#include "services/detail/fleet_events.h"
#include "services/fleet.h"

namespace cp::services {

void Fleet::transaction_recorded(domain::TransactionRecorded record, domain::Reply<domain::TransactionId> reply) {
  auto count = [this](const char* outcome) {
    metrics_.counter("chargeplane_transaction_records_total", "Finished transactions reported in one record (YKC 0x3B)",
                     {{"outcome", outcome}}).inc();
  };
  auto known = store_.transaction_by_external_id(record.pile, record.external_id);
  if (!known) return reply(fail(known.error()));
  if (known->has_value() && (*known)->stopped) {
    // Re-sent after its acknowledgement was lost: already durable, acknowledge again.
    count("repeat");
    spdlog::info("fleet.transaction_record_repeat pile={} transaction={} ref={}", record.pile, (*known)->id,
                 record.external_id);
    return reply((*known)->id);
  }
  if (known->has_value()) {  // started under this reference (remote or card start): end it
    const auto id = (*known)->id;
    // The record carries the start reading the start reply could not: store it with the end.
    domain::TransactionEnded e{record.pile, id, record.id_tag, record.meter_stop_wh, record.reason, record.stopped,
                               std::move(record.transaction_data), record.meter_start_wh};
    return transaction_ended(std::move(e), [count, id, reply = std::move(reply)](auto r) {
      if (!r) return reply(fail(r.error()));
      count("recorded");
      reply(id);
    });
  }
  // Never seen started (offline charging, or the start was not reported): start and end in one
  // batch, so a crash leaves either nothing or the whole transaction.
  const auto now = clock_.now();
  registry_.on_seen(record.pile, now);
  store::TransactionRecord tx;
  tx.id = store_.next_transaction_id();
  tx.pile = record.pile;
  tx.connector = record.connector;
  tx.id_tag = record.id_tag;
  tx.meter_start_wh = record.meter_start_wh;
  tx.started = record.started;
  tx.meter_stop_wh = record.meter_stop_wh;
  tx.stopped = record.stopped;
  tx.stop_reason = record.reason.empty() ? "Local" : record.reason;
  if (!record.id_tag.empty()) tx.stop_id_tag = record.id_tag;
  tx.external_id = record.external_id;
  domain::TransactionEnded end{record.pile, tx.id, record.id_tag, record.meter_stop_wh, *tx.stop_reason, record.stopped,
                               {}};
  auto event = events_ ? events_->render_transaction_ended(end, record.connector, now) : std::nullopt;
  auto batch = store::batch_of(1, store::StartTransaction{tx});
  if (!record.transaction_data.empty())
    batch.emplace_back(store::InsertTelemetry{
        record.pile, record.connector, tx.id,
        std::make_shared<const std::vector<domain::MeterSample>>(std::move(record.transaction_data))});
  store_.submit(std::move(batch), [this, count, id = tx.id, event = std::move(event),
                                   reply = std::move(reply)](const Status& s) mutable {
    if (!s) return reply(fail(s.error()));
    count("recorded");
    if (events_ && event) events_->publish(std::move(*event));
    reply(id);
  });
}

}  // namespace cp::services
