#pragma once
// Registry — the live state of every pile and connector, in memory (answers the API without
// a table scan), plus the link to each connected pile's session.
// Thread-safe: any thread may read or update; state is sharded behind mutexes, no I/O here.
// It is loaded from the store at start and kept current by Fleet as events arrive.
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "domain/commands.h"
#include "domain/events.h"
#include "store/store.h"

namespace cp::services {

// What the services can do to a connected pile session. Implemented by gateway sessions.
// Methods are safe from any thread (the session re-posts to its strand).
class PileLink {
 public:
  virtual ~PileLink() = default;
  // Close the connection (e.g. a newer connection for the same pile id took over).
  virtual void close(const std::string& reason) = 0;
  virtual std::string remote_address() const = 0;
  // Runs a command on the pile (queued behind the session's earlier commands: one protocol
  // exchange at a time). The observer's `done` is called exactly once, on any thread, also
  // when the connection closes first ("Offline") or the pile does not answer ("Timeout").
  virtual void execute(domain::Command command, domain::CommandObserver observer) = 0;
};

struct LastValue {
  double value = 0;
  std::string unit;
  Timestamp at;
};

// The last value of each of a connector's measurands (keyed by domain::live_value_key,
// e.g. "Voltage.L1", "Temperature@EV"), in the order first reported. A connector has a
// handful, and piles report them in the same order every time: a flat vector searched from
// where the previous lookup matched costs one comparison per value, where a tree costs three.
class LastValues {
 public:
  using Entry = std::pair<std::string, LastValue>;

  // The entry for `key`, added (default value) when missing.
  LastValue& operator[](std::string_view key);
  const LastValue* find(std::string_view key) const;
  const LastValue& at(std::string_view key) const;  // std::out_of_range when missing
  std::size_t count(std::string_view key) const { return find(key) ? 1 : 0; }
  std::size_t size() const { return entries_.size(); }
  // Every entry ordered by key (what the API shows).
  std::vector<const Entry*> sorted() const;

 private:
  std::vector<Entry> entries_;
  std::size_t next_ = 0;  // where operator[] starts looking
};

struct ConnectorState {
  int connector = 0;
  std::string status = "Unknown";
  std::string error_code = "NoError";
  std::string vendor_error_code;
  std::string info;
  std::optional<Timestamp> updated;
  std::optional<domain::TransactionId> transaction;
  LastValues last_values;
};

struct PileState {
  domain::PileId id;
  std::string protocol;
  std::string registration = "Accepted";
  bool online = false;
  std::optional<Timestamp> connected_since;
  std::optional<Timestamp> last_seen;
  std::optional<Timestamp> last_boot;
  std::string vendor, model, serial, firmware;
  std::string remote_address;
  std::vector<ConnectorState> connectors;  // sorted by connector id, 0 = pile-level
};

struct PileFilter {
  std::optional<std::string> protocol;
  std::optional<bool> online;
  std::optional<std::string> connector_status;  // any connector in this status
  std::string after;                            // cursor: ids > after (sorted by id)
  int limit = 100;
};

class Registry {
 public:
  // Seeds the registry from stored piles and connectors (all offline).
  void load(const std::vector<store::PileRecord>& piles,
            const std::vector<store::ConnectorRecord>& connectors);

  void upsert_pile(const store::PileRecord& pile);  // registration via the API
  void remove_pile(const domain::PileId& id);
  bool exists(const domain::PileId& id) const;

  std::optional<PileState> get(const domain::PileId& id) const;
  // The pile's protocol ("ocpp1.6", "ykc"), without copying the rest of its state.
  std::optional<std::string> protocol(const domain::PileId& id) const;
  std::vector<PileState> list(const PileFilter& filter) const;
  struct Counts {
    std::size_t total = 0, online = 0, charging = 0, faulted = 0;
  };
  Counts counts() const;
  // Piles with a session attached, O(1) (for the connected-piles gauge).
  std::size_t online_count() const;

  // Session links. `attach` returns the link it replaced (the caller closes it: newer wins).
  std::shared_ptr<PileLink> attach(const domain::PileId& id, std::shared_ptr<PileLink> link, Timestamp at);
  // Detaches only if `link` is still the current one (an old session closing must not
  // mark a newer connection offline). Returns true if the pile went offline.
  bool detach(const domain::PileId& id, const PileLink* link, Timestamp at);
  std::shared_ptr<PileLink> link(const domain::PileId& id) const;

  // Live updates from Fleet.
  void on_boot(const domain::PileBooted& boot);
  void on_seen(const domain::PileId& id, Timestamp at);
  void on_connector_status(const domain::ConnectorStatusChanged& change);
  // Same as on_connector_status, returning the status the connector had before ("Unknown"
  // if none) so the caller can check the transition (domain/connector.h).
  std::string exchange_connector_status(const domain::ConnectorStatusChanged& change);
  // The sample's numeric values become the connector's last values; `seen_at`, when given,
  // raises the pile's last_seen under the same lock (the telemetry path's one registry update).
  void on_telemetry(const domain::TelemetrySampled& sample, std::optional<Timestamp> seen_at = std::nullopt);
  void on_transaction(const domain::PileId& id, int connector, std::optional<domain::TransactionId> tx);
  // Clears `tx` from whichever connector of the pile holds it; returns that connector.
  std::optional<int> end_transaction(const domain::PileId& id, domain::TransactionId tx);

 private:
  struct Entry {
    PileState state;
    std::shared_ptr<PileLink> link;
  };
  ConnectorState& connector_locked(Entry& e, int connector);
  mutable std::shared_mutex mu_;
  std::map<domain::PileId, Entry> piles_;  // ordered: cursor paging by id
  std::size_t online_ = 0;                  // entries with a link
};

}  // namespace cp::services
