#include "services/acquisition.h"

#include <algorithm>
#include <functional>

#include "domain/parameters.h"

namespace cp::services {
namespace {

constexpr int kMaxIntervalS = 86400;
// A sample counts as on time if it arrives within this fraction of the interval early: piles
// time their samples with jittery timers, and a strict cut would drop every other sample of a
// pile that follows the policy exactly.
constexpr double kEarlyTolerance = 0.1;

bool always_kept(std::string_view context) {
  return context == "Transaction.Begin" || context == "Transaction.End" || context == "Trigger" ||
         context.starts_with("Interruption.");
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& m : items) {
    if (!out.empty()) out += ',';
    out += m;
  }
  return out;
}

std::vector<std::string> split(const std::string& csv) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= csv.size() && !csv.empty()) {
    const auto comma = csv.find(',', start);
    out.push_back(csv.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

bool too_early(const std::optional<Timestamp>& last, Timestamp at, int interval_s) {
  if (interval_s <= 0 || !last) return false;
  const auto min_gap = std::chrono::milliseconds(static_cast<std::int64_t>(interval_s * 1000 * (1.0 - kEarlyTolerance)));
  // A sample older than the last kept one (a pile replaying its backlog) is kept: down-sampling
  // only thins a live stream, it never discards history the pile buffered while offline.
  return at >= *last && at - *last < min_gap;
}

}  // namespace

Status validate(const AcquisitionPolicy& p) {
  auto check = [](const std::optional<int>& v, const char* name) -> Status {
    if (v && (*v < 0 || *v > kMaxIntervalS))
      return fail("invalid_field", std::string(name) + ": must be between 0 and " + std::to_string(kMaxIntervalS));
    return {};
  };
  if (auto s = check(p.sample_interval_s, "sample_interval_s"); !s) return s;
  if (auto s = check(p.heartbeat_interval_s, "heartbeat_interval_s"); !s) return s;
  if (auto s = check(p.aligned_interval_s, "aligned_interval_s"); !s) return s;
  if (p.measurands) {
    const auto& known = domain::known_measurands();
    for (const auto& m : *p.measurands)
      if (std::find(known.begin(), known.end(), m) == known.end())
        return fail("invalid_field", "measurands: unknown measurand \"" + m.substr(0, 60) + "\"");
  }
  return {};
}

std::vector<domain::ParameterSetting> parameters_for(const EffectivePolicy& e) {
  std::vector<domain::ParameterSetting> out;
  out.push_back({"heartbeat_interval", std::to_string(e.heartbeat_interval_s)});
  out.push_back({"meter_value_sample_interval", std::to_string(e.sample_interval_s)});
  out.push_back({"clock_aligned_data_interval", std::to_string(e.aligned_interval_s)});
  if (!e.measurands.empty()) out.push_back({"meter_values_sampled_data", join(e.measurands)});
  return out;
}

AcquisitionPolicies::AcquisitionPolicies(EffectivePolicy builtin, Metrics& metrics)
    : builtin_(std::move(builtin)),
      samples_dropped_(metrics.counter("chargeplane_telemetry_samples_downsampled_total",
                                       "Samples acknowledged but not stored: they came faster than the "
                                       "acquisition policy's interval")),
      values_dropped_(metrics.counter("chargeplane_telemetry_values_shed_total",
                                      "Sampled values acknowledged but not stored (down-sampled samples and "
                                      "measurands outside the policy's set)")) {}

void AcquisitionPolicies::load(const std::vector<store::AcquisitionPolicyRecord>& records) {
  std::unique_lock lock(mu_);
  for (const auto& r : records) {
    AcquisitionPolicy p{r.sample_interval_s, r.heartbeat_interval_s, r.aligned_interval_s, std::nullopt};
    if (r.measurands) p.measurands = split(*r.measurands);
    if (r.scope == "*") fleet_ = std::move(p);
    else piles_[r.scope] = std::move(p);
  }
}

AcquisitionPolicy AcquisitionPolicies::fleet() const {
  std::shared_lock lock(mu_);
  return fleet_;
}

std::optional<AcquisitionPolicy> AcquisitionPolicies::pile_override(const domain::PileId& pile) const {
  std::shared_lock lock(mu_);
  auto it = piles_.find(pile);
  if (it == piles_.end()) return std::nullopt;
  return it->second;
}

std::map<domain::PileId, AcquisitionPolicy> AcquisitionPolicies::overrides() const {
  std::shared_lock lock(mu_);
  return {piles_.begin(), piles_.end()};
}

EffectivePolicy AcquisitionPolicies::compose(const AcquisitionPolicy& fleet, const AcquisitionPolicy* pile) const {
  EffectivePolicy e = builtin_;
  auto layer = [&e](const AcquisitionPolicy& p) {
    if (p.sample_interval_s) e.sample_interval_s = *p.sample_interval_s;
    if (p.heartbeat_interval_s) e.heartbeat_interval_s = *p.heartbeat_interval_s;
    if (p.aligned_interval_s) e.aligned_interval_s = *p.aligned_interval_s;
    if (p.measurands) e.measurands = *p.measurands;
  };
  layer(fleet);
  if (pile) layer(*pile);
  return e;
}

EffectivePolicy AcquisitionPolicies::effective(const domain::PileId& pile) const {
  std::shared_lock lock(mu_);
  auto it = piles_.find(pile);
  return resolve(it == piles_.end() ? nullptr : &it->second);
}

EffectivePolicy AcquisitionPolicies::effective_fleet() const {
  std::shared_lock lock(mu_);
  return resolve(nullptr);
}

void AcquisitionPolicies::set_fleet(AcquisitionPolicy p) {
  std::unique_lock lock(mu_);
  fleet_ = std::move(p);
}

void AcquisitionPolicies::set_pile(const domain::PileId& pile, AcquisitionPolicy p) {
  std::unique_lock lock(mu_);
  piles_[pile] = std::move(p);
}

void AcquisitionPolicies::clear_pile(const domain::PileId& pile) {
  std::unique_lock lock(mu_);
  piles_.erase(pile);
}

void AcquisitionPolicies::forget(const domain::PileId& pile) {
  clear_pile(pile);
  const std::string prefix = pile + '\x1f';
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    std::erase_if(shard.cursors, [&](const auto& kv) { return kv.first.starts_with(prefix); });
  }
}

IngestOutcome AcquisitionPolicies::filter(domain::TelemetrySampled& sample) {
  IngestOutcome out;
  const EffectivePolicy policy = effective(sample.pile);
  if (policy.sample_interval_s <= 0 && policy.aligned_interval_s <= 0 && policy.measurands.empty()) return out;

  auto keep_measurand = [&](const domain::SampledValue& v) {
    if (policy.measurands.empty() || always_kept(v.context)) return true;
    if (v.measurand == "Energy.Active.Import.Register") return true;  // the billing register
    return std::find(policy.measurands.begin(), policy.measurands.end(), v.measurand) != policy.measurands.end();
  };

  std::string key = sample.pile;
  key += '\x1f';
  key += std::to_string(sample.connector);
  Shard& shard = shards_[std::hash<std::string>{}(key) % shards_.size()];
  std::lock_guard lock(shard.mu);
  Cursor& cursor = shard.cursors[key];

  auto& samples = sample.samples;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    auto& s = samples[i];
    // A sample's kind is its values' context (OCPP puts one context per sampled value; piles
    // use one per MeterValue in practice). Any value that must be kept keeps the sample.
    bool pinned = false, aligned = false;
    for (const auto& v : s.values) {
      pinned = pinned || always_kept(v.context);
      aligned = aligned || v.context == "Sample.Clock";
    }
    bool drop = false;
    if (!pinned) {
      if (aligned) {
        drop = too_early(cursor.last_aligned, s.at, policy.aligned_interval_s);
        if (!drop && (!cursor.last_aligned || s.at > *cursor.last_aligned)) cursor.last_aligned = s.at;
      } else {
        drop = too_early(cursor.last_periodic, s.at, policy.sample_interval_s);
        if (!drop && (!cursor.last_periodic || s.at > *cursor.last_periodic)) cursor.last_periodic = s.at;
      }
    }
    if (drop) {
      ++out.samples_dropped;
      out.values_dropped += s.values.size();
      continue;
    }
    const auto before = s.values.size();
    std::erase_if(s.values, [&](const domain::SampledValue& v) { return !keep_measurand(v); });
    out.values_dropped += before - s.values.size();
    if (kept != i) samples[kept] = std::move(s);
    ++kept;
  }
  samples.resize(kept);
  if (out.samples_dropped) samples_dropped_.inc(out.samples_dropped);
  if (out.values_dropped) values_dropped_.inc(out.values_dropped);
  return out;
}

}  // namespace cp::services
