// Fleet::transaction_recorded (services/fleet.h): a finished transaction reported in one record
// (YKC 0x3B), idempotent on the pile's own reference.
#include <spdlog/spdlog.h>

#include "services/fleet.h"

namespace cp::services {

void Fleet::transaction_recorded(domain::TransactionRecorded record, domain::Reply<domain::TransactionId> reply) {
  auto known = store_.transaction_by_external_id(record.pile, record.external_id);
  if (!known) return reply(fail(known.error()));
  if (known->has_value() && (*known)->stopped) {
    // Re-sent after its acknowledgement was lost: already durable, acknowledge again.
    metrics_.counter("chargeplane_transaction_records_total", "Transaction records reported by piles",
                     {{"outcome", "repeat"}}).inc();
    spdlog::info("fleet.transaction_record_repeat pile={} transaction={} ref={}", record.pile, (*known)->id,
                 record.external_id);
    return reply((*known)->id);
  }
  auto end = [this, record, reply](domain::TransactionId id) mutable {
    domain::TransactionEnded e{record.pile, id, record.id_tag, record.meter_stop_wh, record.reason, record.stopped,
                               std::move(record.transaction_data)};
    transaction_ended(std::move(e), [this, id, reply = std::move(reply)](auto r) {
      if (!r) return reply(fail(r.error()));
      metrics_.counter("chargeplane_transaction_records_total", "Transaction records reported by piles",
                       {{"outcome", "recorded"}}).inc();
      reply(id);
    });
  };
  if (known->has_value()) return end((*known)->id);
  // Never seen started (offline charging, or the start was not reported): start it first.
  domain::TransactionStarted start{record.pile, record.connector, record.id_tag, record.meter_start_wh, std::nullopt,
                                   record.started, record.external_id};
  transaction_started(std::move(start), [end = std::move(end), reply](Result<domain::TransactionDecision> d) mutable {
    if (!d) return reply(fail(d.error()));
    end(d->transaction);
  });
}

}  // namespace cp::services
