#include "services/registry.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace cp::services {
namespace {

PileState state_from(const store::PileRecord& p) {
  PileState s;
  s.id = p.id;
  s.protocol = p.protocol;
  s.registration = p.registration;
  s.vendor = p.vendor;
  s.model = p.model;
  s.serial = p.serial;
  s.firmware = p.firmware;
  s.last_seen = p.last_seen;
  s.last_boot = p.last_boot;
  return s;
}

bool matches(const PileState& s, const PileFilter& f) {
  if (f.protocol && s.protocol != *f.protocol) return false;
  if (f.online && s.online != *f.online) return false;
  if (f.connector_status) {
    const bool any = std::any_of(s.connectors.begin(), s.connectors.end(),
                                 [&](const ConnectorState& c) { return c.status == *f.connector_status; });
    if (!any) return false;
  }
  return true;
}

bool any_connector(const PileState& s, std::string_view status) {
  return std::any_of(s.connectors.begin(), s.connectors.end(),
                     [&](const ConnectorState& c) { return c.status == status; });
}

void raise_last_seen(PileState& s, Timestamp at) {
  if (!s.last_seen || *s.last_seen < at) s.last_seen = at;
}

}  // namespace

ConnectorState& Registry::connector_locked(Entry& e, int connector) {
  auto& cs = e.state.connectors;
  auto it = std::lower_bound(cs.begin(), cs.end(), connector,
                             [](const ConnectorState& c, int id) { return c.connector < id; });
  if (it == cs.end() || it->connector != connector) {
    ConnectorState fresh;
    fresh.connector = connector;
    it = cs.insert(it, std::move(fresh));
  }
  return *it;
}

void Registry::load(const std::vector<store::PileRecord>& piles,
                    const std::vector<store::ConnectorRecord>& connectors) {
  std::unique_lock lock(mu_);
  for (const auto& p : piles) piles_[p.id].state = state_from(p);
  for (const auto& c : connectors) {
    auto it = piles_.find(c.pile);
    if (it == piles_.end()) continue;
    auto& cs = connector_locked(it->second, c.connector);
    cs.status = c.status;
    cs.error_code = c.error_code;
    cs.vendor_error_code = c.vendor_error_code;
    cs.info = c.info;
    cs.updated = c.updated;
  }
}

void Registry::upsert_pile(const store::PileRecord& pile) {
  std::unique_lock lock(mu_);
  auto [it, inserted] = piles_.try_emplace(pile.id);
  if (inserted) {
    it->second.state = state_from(pile);
    return;
  }
  // Only the operator's registration fields; live fields belong to the pile's own reports.
  it->second.state.protocol = pile.protocol;
  it->second.state.registration = pile.registration;
}

void Registry::remove_pile(const domain::PileId& id) {
  std::unique_lock lock(mu_);
  auto it = piles_.find(id);
  if (it == piles_.end()) return;
  if (it->second.link) --online_;
  piles_.erase(it);
}

bool Registry::exists(const domain::PileId& id) const {
  std::shared_lock lock(mu_);
  return piles_.count(id) != 0;
}

std::optional<PileState> Registry::get(const domain::PileId& id) const {
  std::shared_lock lock(mu_);
  auto it = piles_.find(id);
  if (it == piles_.end()) return std::nullopt;
  return it->second.state;
}

std::optional<std::string> Registry::protocol(const domain::PileId& id) const {
  std::shared_lock lock(mu_);
  auto it = piles_.find(id);
  if (it == piles_.end()) return std::nullopt;
  return it->second.state.protocol;
}

std::vector<PileState> Registry::list(const PileFilter& filter) const {
  std::vector<PileState> out;
  if (filter.limit <= 0) return out;
  std::shared_lock lock(mu_);
  for (auto it = piles_.upper_bound(filter.after); it != piles_.end(); ++it) {
    if (!matches(it->second.state, filter)) continue;
    out.push_back(it->second.state);
    if (out.size() >= static_cast<std::size_t>(filter.limit)) break;
  }
  return out;
}

Registry::Counts Registry::counts() const {
  Counts c;
  std::shared_lock lock(mu_);
  c.total = piles_.size();
  for (const auto& [id, e] : piles_) {
    if (e.state.online) ++c.online;
    if (any_connector(e.state, "Charging")) ++c.charging;
    if (any_connector(e.state, "Faulted")) ++c.faulted;
  }
  return c;
}

std::size_t Registry::online_count() const {
  std::shared_lock lock(mu_);
  return online_;
}

std::shared_ptr<PileLink> Registry::attach(const domain::PileId& id, std::shared_ptr<PileLink> link,
                                           Timestamp at) {
  const std::string remote = link ? link->remote_address() : std::string{};
  std::unique_lock lock(mu_);
  auto& e = piles_[id];
  if (e.state.id.empty()) e.state.id = id;
  auto previous = std::exchange(e.link, std::move(link));
  online_ = online_ + (e.link ? 1 : 0) - (previous ? 1 : 0);
  e.state.online = e.link != nullptr;
  e.state.connected_since = at;
  e.state.remote_address = remote;
  raise_last_seen(e.state, at);
  return previous;
}

bool Registry::detach(const domain::PileId& id, const PileLink* link, Timestamp at) {
  std::unique_lock lock(mu_);
  auto it = piles_.find(id);
  if (it == piles_.end() || !it->second.link || it->second.link.get() != link) return false;
  auto& e = it->second;
  e.link.reset();
  --online_;
  e.state.online = false;
  e.state.connected_since.reset();
  e.state.remote_address.clear();
  raise_last_seen(e.state, at);
  return true;
}

std::shared_ptr<PileLink> Registry::link(const domain::PileId& id) const {
  std::shared_lock lock(mu_);
  auto it = piles_.find(id);
  return it == piles_.end() ? nullptr : it->second.link;
}

void Registry::on_boot(const domain::PileBooted& boot) {
  std::unique_lock lock(mu_);
  auto it = piles_.find(boot.pile);
  if (it == piles_.end()) return;
  auto& s = it->second.state;
  s.vendor = boot.vendor;
  s.model = boot.model;
  s.serial = boot.serial;
  s.firmware = boot.firmware;
  s.last_boot = boot.at;
  raise_last_seen(s, boot.at);
}

void Registry::on_seen(const domain::PileId& id, Timestamp at) {
  std::unique_lock lock(mu_);
  auto it = piles_.find(id);
  if (it != piles_.end()) raise_last_seen(it->second.state, at);
}

void Registry::on_connector_status(const domain::ConnectorStatusChanged& change) {
  (void)exchange_connector_status(change);
}

std::string Registry::exchange_connector_status(const domain::ConnectorStatusChanged& change) {
  std::unique_lock lock(mu_);
  auto it = piles_.find(change.pile);
  if (it == piles_.end()) return "Unknown";
  auto& c = connector_locked(it->second, change.connector);
  std::string previous = std::exchange(c.status, change.status);
  c.error_code = change.error_code.empty() ? "NoError" : change.error_code;
  c.vendor_error_code = change.vendor_error_code;
  c.info = change.info;
  c.updated = change.at;
  return previous;
}

LastValue& LastValues::operator[](std::string_view key) {
  const std::size_t n = entries_.size();
  for (std::size_t i = 0, at = next_; i < n; ++i, at = at + 1 == n ? 0 : at + 1) {
    if (entries_[at].first != key) continue;
    next_ = at + 1 == n ? 0 : at + 1;
    return entries_[at].second;
  }
  entries_.emplace_back(std::string(key), LastValue{});
  next_ = 0;
  return entries_.back().second;
}

const LastValue* LastValues::find(std::string_view key) const {
  for (const auto& [k, v] : entries_)
    if (k == key) return &v;
  return nullptr;
}

const LastValue& LastValues::at(std::string_view key) const {
  if (const LastValue* v = find(key)) return *v;
  throw std::out_of_range("no last value for " + std::string(key));
}

std::vector<const LastValues::Entry*> LastValues::sorted() const {
  std::vector<const Entry*> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(&e);
  std::sort(out.begin(), out.end(), [](const Entry* a, const Entry* b) { return a->first < b->first; });
  return out;
}

void Registry::on_telemetry(const domain::TelemetrySampled& sample, std::optional<Timestamp> seen_at) {
  std::unique_lock lock(mu_);
  auto it = piles_.find(sample.pile);
  if (it == piles_.end()) return;
  if (seen_at) raise_last_seen(it->second.state, *seen_at);
  auto& c = connector_locked(it->second, sample.connector);
  std::string key;  // one buffer for every value's key: no allocation per value
  key.reserve(64);
  for (const auto& s : sample.samples) {
    for (const auto& v : s.values) {
      if (!v.raw.empty()) continue;  // not a plain number (e.g. signed meter data)
      key.clear();
      domain::append_live_value_key(v, key);
      LastValue& last = c.last_values[key];
      if (last.at > s.at) continue;  // a late, older sample never hides a newer value
      last.value = v.value;
      last.unit.assign(v.unit);  // reuses the string's capacity
      last.at = s.at;
    }
  }
}

void Registry::on_transaction(const domain::PileId& id, int connector,
                              std::optional<domain::TransactionId> tx) {
  std::unique_lock lock(mu_);
  auto it = piles_.find(id);
  if (it == piles_.end()) return;
  connector_locked(it->second, connector).transaction = tx;
}

std::optional<int> Registry::end_transaction(const domain::PileId& id, domain::TransactionId tx) {
  std::unique_lock lock(mu_);
  auto it = piles_.find(id);
  if (it == piles_.end()) return std::nullopt;
  for (auto& c : it->second.state.connectors) {
    if (c.transaction == tx) {
      c.transaction.reset();
      return c.connector;
    }
  }
  return std::nullopt;
}

}  // namespace cp::services
