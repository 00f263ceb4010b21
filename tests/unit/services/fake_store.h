#pragma once
// FakeStore — an in-memory store::Store for services and API tests. Like the real backend it
// applies batches on its own writer thread and runs `done` there, after the batch is "durable"
// (applied to the maps). Tests can hold the writer (to prove a reply waits for durability)
// and make the next batches fail.
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <type_traits>

#include "store/store.h"

namespace cp::testing {

class FakeStore final : public store::Store {
 public:
  FakeStore() : writer_([this] { run(); }) {}
  ~FakeStore() override { close(); }

  // ---- test controls ----
  void hold() {
    std::lock_guard lock(mu_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  void fail_next(int batches, std::string code = "io_error") {
    std::lock_guard lock(mu_);
    fail_batches_ = batches;
    fail_code_ = std::move(code);
  }
  std::size_t pending() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }
  std::vector<store::WriteBatch> committed() const {
    std::lock_guard lock(mu_);
    return committed_;
  }
  template <class Op>
  std::vector<Op> ops() const {
    std::vector<Op> out;
    std::lock_guard lock(mu_);
    for (const auto& b : committed_)
      for (const auto& op : b)
        if (auto* p = std::get_if<Op>(&op)) out.push_back(*p);
    return out;
  }
  bool writer_thread_is_current() const { return std::this_thread::get_id() == writer_.get_id(); }
  void fail_reads(bool fail) { fail_reads_ = fail; }

  // ---- store::Store ----
  void submit(store::WriteBatch batch, store::WriteDone done) override {
    {
      std::lock_guard lock(mu_);
      if (!closed_) {
        queue_.push_back({std::move(batch), std::move(done)});
        cv_.notify_all();
        return;
      }
    }
    done(Status(fail("store_closed", "store is closed")));
  }
  void flush() override {
    std::unique_lock lock(mu_);
    idle_cv_.wait(lock, [&] { return queue_.empty() && !busy_; });
  }
  void close() override {
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      held_ = false;
      stopping_ = true;
    }
    cv_.notify_all();
    if (writer_.joinable()) writer_.join();
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  domain::TransactionId next_transaction_id() override { return ++last_tx_; }

  Result<std::vector<store::PileRecord>> piles() override {
    if (fail_reads_) return read_error();
    std::lock_guard lock(mu_);
    std::vector<store::PileRecord> out;
    for (const auto& [id, p] : piles_) out.push_back(p);
    return out;
  }
  Result<std::optional<store::PileRecord>> pile(const store::PileId& id) override {
    if (fail_reads_) return read_error();
    std::lock_guard lock(mu_);
    auto it = piles_.find(id);
    return it == piles_.end() ? std::optional<store::PileRecord>{} : std::optional{it->second};
  }
  Result<std::vector<store::ConnectorRecord>> connectors(const store::PileId& pile) override {
    std::lock_guard lock(mu_);
    std::vector<store::ConnectorRecord> out;
    for (const auto& [key, c] : connectors_)
      if (key.first == pile) out.push_back(c);
    return out;
  }
  Result<std::optional<store::IdTagRecord>> id_tag(const std::string& id_tag) override {
    if (fail_reads_) return read_error();
    std::lock_guard lock(mu_);
    auto it = id_tags_.find(id_tag);
    return it == id_tags_.end() ? std::optional<store::IdTagRecord>{} : std::optional{it->second};
  }
  Result<std::vector<store::IdTagRecord>> id_tags() override {
    std::lock_guard lock(mu_);
    std::vector<store::IdTagRecord> out;
    for (const auto& [id, t] : id_tags_) out.push_back(t);
    return out;
  }
  Result<std::vector<store::TransactionRecord>> transactions(const store::TransactionQuery& q) override {
    std::lock_guard lock(mu_);
    std::vector<store::TransactionRecord> out;
    for (auto it = transactions_.rbegin(); it != transactions_.rend(); ++it) {
      const auto& t = it->second;
      if (q.pile && t.pile != *q.pile) continue;
      if (q.before && t.id >= *q.before) continue;
      if (static_cast<int>(out.size()) >= q.limit) break;
      out.push_back(t);
    }
    return out;
  }
  Result<std::optional<store::TransactionRecord>> transaction(domain::TransactionId id) override {
    std::lock_guard lock(mu_);
    auto it = transactions_.find(id);
    return it == transactions_.end() ? std::optional<store::TransactionRecord>{} : std::optional{it->second};
  }
  Result<std::optional<store::TransactionRecord>> transaction_by_external_id(const store::PileId& pile,
                                                                            const std::string& external_id) override {
    std::lock_guard lock(mu_);
    for (const auto& [id, t] : transactions_)
      if (!external_id.empty() && t.pile == pile && t.external_id == external_id) return std::optional{t};
    return std::optional<store::TransactionRecord>{};
  }
  Result<std::vector<store::TelemetryRow>> telemetry(const store::TelemetryQuery& q) override {
    std::lock_guard lock(mu_);
    std::vector<store::TelemetryRow> out;
    for (auto it = telemetry_.rbegin(); it != telemetry_.rend(); ++it) {
      if (it->pile != q.pile) continue;
      if (q.measurand && it->measurand != *q.measurand) continue;
      if (q.from && it->at < *q.from) continue;
      if (q.to && it->at >= *q.to) continue;
      if (static_cast<int>(out.size()) >= q.limit) break;
      out.push_back(*it);
    }
    return out;
  }
  Result<std::vector<store::RejectedFrame>> rejected_frames(int limit) override {
    std::lock_guard lock(mu_);
    std::vector<store::RejectedFrame> out;
    for (auto it = rejected_.rbegin(); it != rejected_.rend() && static_cast<int>(out.size()) < limit; ++it)
      out.push_back(*it);
    return out;
  }
  Result<std::optional<store::UserRecord>> user(const std::string& username) override {
    std::lock_guard lock(mu_);
    auto it = users_.find(username);
    return it == users_.end() ? std::optional<store::UserRecord>{} : std::optional{it->second};
  }
  Result<std::vector<store::UserRecord>> users() override {
    std::lock_guard lock(mu_);
    std::vector<store::UserRecord> out;
    for (const auto& [n, u] : users_) out.push_back(u);
    return out;
  }
  // Configuration jobs and policies are not modelled: their tests run on the SQLite store.
  Result<std::vector<store::ConfigJobRecord>> config_jobs(const store::ConfigJobQuery&) override { return {{}}; }
  Result<std::optional<store::ConfigJobRecord>> config_job(const std::string&) override { return {std::nullopt}; }
  Result<std::optional<store::ConfigJobRecord>> config_job_by_idempotency_key(const std::string&,
                                                                              const std::string&) override {
    return {std::nullopt};
  }
  Result<std::vector<store::ConfigJobPileRecord>> config_job_piles(const std::string&) override { return {{}}; }
  Result<std::vector<store::ConfigJobResultRecord>> config_job_results(const std::string&) override { return {{}}; }
  Result<std::vector<store::PileConfigRecord>> pile_config(const store::PileId&) override { return {{}}; }
  Result<std::vector<store::AcquisitionPolicyRecord>> acquisition_policies() override { return {{}}; }

  Result<std::vector<store::TokenRecord>> live_tokens(Timestamp now) override {
    if (fail_reads_) return read_error();
    std::lock_guard lock(mu_);
    std::vector<store::TokenRecord> out;
    for (const auto& [id, t] : tokens_)
      if (!t.revoked && (!t.expires || *t.expires > now)) out.push_back(t);
    return out;
  }
  Result<std::vector<store::AuditRecord>> audit(const store::AuditQuery& q) override {
    if (fail_reads_) return read_error();
    std::lock_guard lock(mu_);
    std::vector<store::AuditRecord> out;
    for (auto it = audit_.rbegin(); it != audit_.rend() && static_cast<int>(out.size()) < q.limit; ++it) {
      if ((q.actor && it->actor != *q.actor) || (q.action && it->action != *q.action) ||
          (q.target && it->target != *q.target) || (q.before && it->id >= *q.before))
        continue;
      out.push_back(*it);
    }
    return out;
  }
  // Every token row, revoked or not (tests inspect what was written).
  std::map<std::string, store::TokenRecord> token_rows() const {
    std::lock_guard lock(mu_);
    return tokens_;
  }
  Result<std::optional<store::CommandRecord>> command(const std::string& id) override {
    if (fail_reads_) return read_error();
    std::lock_guard lock(mu_);
    auto it = commands_.find(id);
    return it == commands_.end() ? std::optional<store::CommandRecord>{} : std::optional{it->second};
  }
  Result<std::vector<store::CommandRecord>> commands(const store::CommandQuery& q) override {
    if (fail_reads_) return read_error();
    std::lock_guard lock(mu_);
    std::vector<store::CommandRecord> out;
    for (auto it = commands_.rbegin(); it != commands_.rend(); ++it) {
      const auto& c = it->second;
      if (q.pile && c.pile != *q.pile) continue;
      if (q.open_only && c.status != "Pending" && c.status != "Sent") continue;
      if (q.before && c.id >= *q.before) continue;
      if (static_cast<int>(out.size()) >= q.limit) break;
      out.push_back(c);
    }
    return out;
  }
  store::StoreStats stats() const override {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  static Unexpected<Error> read_error() { return fail("io_error", "read failed"); }

  void run() {
    for (;;) {
      std::pair<store::WriteBatch, store::WriteDone> item;
      Status outcome;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || (!held_ && !queue_.empty()); });
        if (queue_.empty()) return;  // stopping and drained
        item = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        if (fail_batches_ > 0) {
          --fail_batches_;
          outcome = fail(fail_code_, "injected failure");
        } else {
          for (auto& op : item.first) std::visit([&](auto& o) { apply(o); }, op);
          committed_.push_back(item.first);
          ++stats_.batches_committed;
          ++stats_.commits;
          stats_.ops_committed += item.first.size();
        }
      }
      if (item.second) item.second(outcome);  // after "COMMIT", outside the lock, on this thread
      {
        std::lock_guard lock(mu_);
        busy_ = false;
      }
      idle_cv_.notify_all();
    }
  }

  void apply(store::UpsertPile& o) {
    auto& p = piles_[o.pile.id];
    const auto keep = p;
    p = o.pile;
    if (!keep.id.empty()) {  // registration fields only; live fields stay
      p.vendor = keep.vendor, p.model = keep.model, p.serial = keep.serial, p.firmware = keep.firmware;
      p.last_seen = keep.last_seen, p.last_boot = keep.last_boot, p.created = keep.created;
    }
  }
  void apply(store::DeletePile& o) { piles_.erase(o.id); }
  void apply(store::RecordBoot& o) {
    auto it = piles_.find(o.boot.pile);
    if (it == piles_.end()) return;
    it->second.vendor = o.boot.vendor, it->second.model = o.boot.model;
    it->second.serial = o.boot.serial, it->second.firmware = o.boot.firmware;
    it->second.last_boot = o.boot.at;
  }
  void apply(store::TouchPile& o) {
    auto it = piles_.find(o.id);
    if (it != piles_.end()) it->second.last_seen = o.at;
  }
  void apply(store::UpsertConnector& o) { connectors_[{o.connector.pile, o.connector.connector}] = o.connector; }
  void apply(store::StartTransaction& o) { transactions_[o.tx.id] = o.tx; }
  void apply(store::StopTransaction& o) {
    auto it = transactions_.find(o.id);
    if (it == transactions_.end()) return;
    it->second.meter_stop_wh = o.meter_stop_wh;
    it->second.stopped = o.stopped;
    it->second.stop_reason = o.reason;
    it->second.stop_id_tag = o.id_tag;
  }
  void apply(store::InsertTelemetry& o) {
    if (!o.samples) return;
    for (const auto& s : *o.samples)
      for (const auto& v : s.values)
        telemetry_.push_back({o.pile, o.connector, o.transaction, s.at, v.measurand, v.phase, v.unit, v.context,
                              v.location, v.raw.empty() ? v.value : 0.0, v.raw});
  }
  void apply(store::UpsertIdTag& o) { id_tags_[o.tag.id_tag] = o.tag; }
  void apply(store::InsertDataTransfer&) {}
  void apply(store::RecordPileStatusReport&) {}
  void apply(store::InsertRejectedFrame& o) { rejected_.push_back(o.frame); }
  void apply(store::UpsertUser& o) { users_[o.user.username] = o.user; }
  void apply(store::DeleteUser& o) { users_.erase(o.username); }
  void apply(store::InsertToken& o) { tokens_[o.token.id] = o.token; }
  void apply(store::RevokeToken& o) {
    auto it = tokens_.find(o.id);
    if (it != tokens_.end() && !it->second.revoked) it->second.revoked = o.at;
  }
  void apply(store::RevokeTokensOf& o) {
    for (auto& [id, t] : tokens_)
      if (t.owner == o.owner && !t.revoked && (!o.kind || t.kind == *o.kind)) t.revoked = o.at;
  }
  void apply(store::TouchToken& o) {
    auto it = tokens_.find(o.id);
    if (it != tokens_.end()) it->second.last_used = std::max(it->second.last_used.value_or(o.at), o.at);
  }
  void apply(store::PurgeSessions& o) {
    std::erase_if(tokens_, [&](const auto& kv) {
      const auto& t = kv.second;
      return t.kind == "session" && ((t.expires && *t.expires < o.before) || (t.revoked && *t.revoked < o.before));
    });
  }
  void apply(store::InsertAudit& o) {
    audit_.push_back(o.record);
    audit_.back().id = static_cast<std::int64_t>(audit_.size());
  }
  template <class Op>
  void apply(Op&) {}  // operations the fake does not model are committed (recorded) only
  void apply(store::InsertCommand& o) { commands_[o.command.id] = o.command; }
  void apply(store::UpdateCommand& o) {
    auto it = commands_.find(o.id);
    if (it == commands_.end()) return;
    it->second.status = o.status;
    it->second.detail = o.detail;
    if (o.response_json) it->second.response_json = o.response_json;
    it->second.updated = o.updated;
  }
  void apply(store::FinishOpenCommands& o) {
    for (auto& [id, c] : commands_)
      if (c.status == "Pending" || c.status == "Sent") c.status = o.status, c.detail = o.detail, c.updated = o.updated;
  }

  mutable std::mutex mu_;
  std::condition_variable cv_, idle_cv_;
  std::deque<std::pair<store::WriteBatch, store::WriteDone>> queue_;
  bool held_ = false, busy_ = false, stopping_ = false, closed_ = false;
  int fail_batches_ = 0;
  std::string fail_code_;
  std::atomic<bool> fail_reads_{false};
  std::atomic<domain::TransactionId> last_tx_{0};
  std::vector<store::WriteBatch> committed_;
  store::StoreStats stats_;
  std::map<store::PileId, store::PileRecord> piles_;
  std::map<std::pair<store::PileId, int>, store::ConnectorRecord> connectors_;
  std::map<std::string, store::IdTagRecord> id_tags_;
  std::map<domain::TransactionId, store::TransactionRecord> transactions_;
  std::vector<store::TelemetryRow> telemetry_;
  std::vector<store::RejectedFrame> rejected_;
  std::map<std::string, store::UserRecord> users_;
  std::map<std::string, store::TokenRecord> tokens_;
  std::vector<store::AuditRecord> audit_;
  std::map<std::string, store::CommandRecord> commands_;
  std::thread writer_;  // last: starts after every member above is constructed
};

// A manually advanced clock.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Timestamp start = from_millis(1'700'000'000'000)) : now_(to_millis(start)) {}
  Timestamp now() const override { return from_millis(now_.load()); }
  void advance(std::chrono::milliseconds d) { now_ += d.count(); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace cp::testing
