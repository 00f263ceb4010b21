#pragma once
// Data-acquisition policy (DESIGN.md §4): how often piles sample, heartbeat and upload, and
// which measurands the platform keeps — a fleet default overridden per pile. It is the
// platform's lever to shed load, applied two ways:
//   1. pushed to piles as a configuration job (the caller creates it from `parameters_for`);
//   2. enforced on ingestion (`filter`): periodic samples arriving faster than the sample
//      interval and clock-aligned samples faster than the aligned interval are acknowledged
//      but not stored, and values of measurands outside the set are dropped — so storage and
//      CPU drop even for piles that ignore the setting. Transaction.Begin/End, Trigger and
//      Interruption samples and the energy register are always kept (billing needs them).
//
// Thread-safe. `filter` is on the telemetry hot path: one sharded lock and a hash lookup.
#include <array>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/metrics.h"
#include "core/time.h"
#include "domain/commands.h"
#include "domain/events.h"
#include "store/store.h"

namespace cp::services {

// One scope's settings; unset fields inherit (pile -> fleet -> built-in defaults).
struct AcquisitionPolicy {
  std::optional<int> sample_interval_s;     // MeterValueSampleInterval
  std::optional<int> heartbeat_interval_s;  // HeartbeatInterval
  std::optional<int> aligned_interval_s;    // ClockAlignedDataInterval (the upload interval)
  std::optional<std::vector<std::string>> measurands;  // MeterValuesSampledData; empty = keep all
  bool operator==(const AcquisitionPolicy&) const = default;
};

struct EffectivePolicy {
  int sample_interval_s = 0;   // 0 = no down-sampling of periodic samples
  int heartbeat_interval_s = 300;
  int aligned_interval_s = 0;  // 0 = no down-sampling of clock-aligned samples
  std::vector<std::string> measurands;  // empty = keep every measurand
};

// Validates ranges and measurand names (catalogue rules); error code "invalid_field".
Status validate(const AcquisitionPolicy& p);

// The configuration parameters that apply `effective` to a pile (catalogue names).
std::vector<domain::ParameterSetting> parameters_for(const EffectivePolicy& effective);

struct IngestOutcome {
  std::size_t samples_dropped = 0;  // whole samples down-sampled away
  std::size_t values_dropped = 0;   // values removed (measurand filter, and those of dropped samples)
};

class AcquisitionPolicies {
 public:
  // `builtin` gives the defaults when neither fleet nor pile policy sets a field
  // (heartbeat = the server's configured interval, no down-sampling).
  AcquisitionPolicies(EffectivePolicy builtin, Metrics& metrics);

  // Seeds from the store at start ("*" = fleet).
  void load(const std::vector<store::AcquisitionPolicyRecord>& records);

  AcquisitionPolicy fleet() const;
  std::optional<AcquisitionPolicy> pile_override(const domain::PileId& pile) const;
  std::map<domain::PileId, AcquisitionPolicy> overrides() const;
  EffectivePolicy effective(const domain::PileId& pile) const;
  EffectivePolicy effective_fleet() const;
  // What a pile's policy would be under the given fleet default and override (for applying a
  // change before it is stored).
  EffectivePolicy compose(const AcquisitionPolicy& fleet, const AcquisitionPolicy* pile) const;

  // Live updates after the policy is durable.
  void set_fleet(AcquisitionPolicy p);
  void set_pile(const domain::PileId& pile, AcquisitionPolicy p);
  void clear_pile(const domain::PileId& pile);

  // Applies the effective policy to an incoming sample set in place (see the header comment).
  IngestOutcome filter(domain::TelemetrySampled& sample);

  // Forgets a pile's down-sampling state (pile deleted).
  void forget(const domain::PileId& pile);

 private:
  struct Cursor {
    std::optional<Timestamp> last_periodic;
    std::optional<Timestamp> last_aligned;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Cursor> cursors;  // "pile\x1fconnector"
  };
  EffectivePolicy resolve(const AcquisitionPolicy* pile) const { return compose(fleet_, pile); }  // holds mu_

  EffectivePolicy builtin_;
  mutable std::shared_mutex mu_;
  AcquisitionPolicy fleet_;
  std::unordered_map<domain::PileId, AcquisitionPolicy> piles_;
  std::array<Shard, 16> shards_;
  Counter& samples_dropped_;
  Counter& values_dropped_;
};

}  // namespace cp::services
