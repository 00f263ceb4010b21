#include "store/sqlite/group_commit.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <utility>
#include <variant>

#include "core/log.h"

namespace cp::store::sqlite {
namespace {

void call_done(const WriteDone& done, const Status& status) {
  if (!done) return;
  try {
    done(status);
  } catch (const std::exception& e) {
    // A throwing callback must not take the writer (and every later acknowledgement) down.
    spdlog::error("store_done_threw what={}", e.what());
  } catch (...) {
    spdlog::error("store_done_threw what=unknown");
  }
}

}  // namespace

Result<std::unique_ptr<GroupCommitWriter>> GroupCommitWriter::start(Db db, WriteOps ops,
                                                                     const WriterOptions& options) {
  Statements s;
  const std::pair<Stmt*, const char*> statements[] = {
      {&s.begin, "BEGIN IMMEDIATE"},       {&s.commit, "COMMIT"},
      {&s.rollback, "ROLLBACK"},           {&s.savepoint, "SAVEPOINT batch"},
      {&s.release, "RELEASE batch"},       {&s.rollback_to, "ROLLBACK TO batch"},
  };
  for (const auto& [stmt, sql] : statements) {
    auto prepared = Stmt::prepare(db.get(), sql);
    if (!prepared) return fail(prepared.error());
    *stmt = std::move(*prepared);
  }
  auto indexer = TelemetryIndexer::prepare(db.get(), options.telemetry_index,
                                           std::chrono::steady_clock::now());
  if (!indexer) return fail(indexer.error());
  // Not make_unique: the constructor is private.
  return std::unique_ptr<GroupCommitWriter>(new GroupCommitWriter(
      std::move(db), std::move(ops), std::move(*indexer), std::move(s), options));
}

GroupCommitWriter::GroupCommitWriter(Db db, WriteOps ops, TelemetryIndexer indexer,
                                     Statements statements, const WriterOptions& options)
    : db_(std::move(db)),
      ops_(std::move(ops)),
      indexer_(std::move(indexer)),
      sql_(std::move(statements)),
      capacity_(options.queue_capacity > 0 ? options.queue_capacity : 1),
      max_group_(options.max_batches_per_commit > 0 ? options.max_batches_per_commit : 1),
      commit_delay_(std::max(options.commit_delay, std::chrono::microseconds{0})),
      window_after_group_(std::max<std::size_t>(options.commit_window_after_group, 2)) {
  if (Metrics* m = options.metrics) {
    metrics_.commit_seconds = &m->histogram("chargeplane_store_commit_seconds",
                                            "Time from BEGIN to the end of COMMIT of one group");
    metrics_.commits = &m->counter("chargeplane_store_commits_total",
                                   "Database transactions (group commits)");
    metrics_.queue_depth = &m->gauge("chargeplane_store_queue_depth",
                                     "Write batches waiting for the store writer");
    metrics_.indexed_rows = &m->counter("chargeplane_store_telemetry_indexed_rows_total",
                                        "Telemetry rows added to the (pile, ts) index in batches");
    metrics_.index_seconds = &m->histogram("chargeplane_store_telemetry_index_seconds",
                                           "Time one telemetry index batch took");
    metrics_.window_seconds = &m->histogram("chargeplane_store_commit_window_seconds",
                                            "Time the writer waited in one commit window for more batches");
    for (std::size_t i = 0; i < std::variant_size_v<WriteOp>; ++i)
      metrics_.ops.push_back(&m->counter("chargeplane_store_ops_total",
                                         "Write operations committed", {{"op", op_name(i)}}));
  }
  thread_ = std::thread([this] { run(); });
  std::lock_guard lock(mu_);
  writer_id_ = thread_.get_id();
}

GroupCommitWriter::~GroupCommitWriter() { close(); }

void GroupCommitWriter::submit(WriteBatch batch, WriteDone done) {
  enqueue(Pending{std::move(batch), std::move(done), 0});
}

void GroupCommitWriter::submit_id_reservation(std::int64_t value, WriteDone done) {
  enqueue(Pending{{}, std::move(done), value});
}

void GroupCommitWriter::enqueue(Pending p) {
  std::unique_lock lock(mu_);
  // The writer's own thread (a `done` that submits) must not wait for itself.
  if (std::this_thread::get_id() != writer_id_)
    has_room_.wait(lock, [&] { return closing_ || queue_.size() < capacity_; });
  if (closing_) {
    lock.unlock();
    call_done(p.done, fail("store_closed", "the store is closed"));
    return;
  }
  queue_.push_back(std::move(p));
  ++accepted_;
  if (metrics_.queue_depth) metrics_.queue_depth->set(static_cast<std::int64_t>(queue_.size()));
  // The writer waits for a first batch, or for a full group inside a commit window: waking it
  // on every other submission would only cost a futex call each.
  const bool wake = queue_.size() == 1 || queue_.size() == max_group_;
  lock.unlock();
  if (wake) has_work_.notify_one();
}

bool GroupCommitWriter::on_writer_thread() const {
  std::lock_guard lock(mu_);
  return std::this_thread::get_id() == writer_id_;
}

Status GroupCommitWriter::reserve_ids_inline(std::int64_t value) {
  // `done` callbacks run after COMMIT, so the connection is in autocommit mode here.
  if (!on_writer_thread() || !sqlite3_get_autocommit(db_.get()))
    return fail("storage_error", "inline id reservation outside a done callback");
  return ops_.reserve_transaction_ids(value);
}

void GroupCommitWriter::flush() {
  std::unique_lock lock(mu_);
  if (std::this_thread::get_id() == writer_id_) return;  // from a `done`: would wait for itself
  const std::uint64_t target = accepted_;
  ++flushing_;
  lock.unlock();
  has_work_.notify_one();  // ends a commit window now
  lock.lock();
  progressed_.wait(lock, [&] { return completed_ >= target; });
  --flushing_;
}

void GroupCommitWriter::close() {
  std::lock_guard closing(close_mu_);
  {
    std::lock_guard lock(mu_);
    if (std::this_thread::get_id() == writer_id_) return;  // see header: not from a `done`
    closing_ = true;
  }
  has_work_.notify_all();
  has_room_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool GroupCommitWriter::closed() const {
  std::lock_guard lock(mu_);
  return closing_;
}

StoreStats GroupCommitWriter::stats() const {
  return StoreStats{batches_committed_.load(), ops_committed_.load(), commits_.load()};
}

void GroupCommitWriter::run() {
  pthread_setname_np(pthread_self(), "cp-store-writer");  // visible in top/perf/gdb
  for (;;) {
    {
      std::unique_lock lock(mu_);
      has_work_.wait(lock, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing and drained
      if (commit_delay_.count() > 0 && previous_group_size_ >= window_after_group_) wait_for_company(lock);
      const std::size_t n = std::min(queue_.size(), max_group_);
      for (std::size_t i = 0; i < n; ++i) {
        group_.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (metrics_.queue_depth) metrics_.queue_depth->set(static_cast<std::int64_t>(queue_.size()));
    }
    has_room_.notify_all();
    previous_group_size_ = group_.size();
    commit_group();
    {
      std::lock_guard lock(mu_);
      completed_ += group_.size();
    }
    progressed_.notify_all();
    group_.clear();
    maintain_telemetry_index();
  }
}

void GroupCommitWriter::wait_for_company(std::unique_lock<std::mutex>& lock) {
  // In quarters of the window: a quarter in which nothing arrived means the burst is over (the
  // submitters are waiting for this very commit), and waiting on would only add latency.
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + commit_delay_;
  const auto quarter = std::max(commit_delay_ / 4, std::chrono::microseconds{1});
  const auto done = [&] { return closing_ || flushing_ > 0 || queue_.size() >= max_group_; };
  for (std::size_t seen = queue_.size();;) {
    const auto until = std::min(deadline, std::chrono::steady_clock::now() + quarter);
    if (has_work_.wait_until(lock, until, done) || until == deadline || queue_.size() == seen) break;
    seen = queue_.size();
  }
  if (metrics_.window_seconds)
    metrics_.window_seconds->observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

void GroupCommitWriter::maintain_telemetry_index() {
  const auto now = std::chrono::steady_clock::now();
  indexer_.committed(ops_.telemetry_rows(), now);
  ops_.clear_telemetry_rows();
  if (!indexer_.due(now)) return;
  auto indexed = indexer_.run(now);
  if (!indexed) {
    // Nothing is lost: the rows stay readable above the watermark; the next run retries.
    spdlog::warn("store.telemetry_index_failed error={} pending={}", indexed.error().message,
                 indexer_.pending());
    return;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - now).count();
  if (metrics_.indexed_rows) metrics_.indexed_rows->inc(static_cast<std::uint64_t>(*indexed));
  if (metrics_.index_seconds) metrics_.index_seconds->observe(seconds);
}

Status GroupCommitWriter::apply_batch(const Pending& p) {
  if (p.reserve_ids > 0) return ops_.reserve_transaction_ids(p.reserve_ids);
  for (const WriteOp& op : p.batch)
    if (auto s = ops_.apply(op); !s) return s;
  return {};
}

GroupCommitWriter::Outcome GroupCommitWriter::run_group(bool savepoints) {
  if (auto begun = sql_.begin.run(); !begun) {
    results_.assign(group_.size(), begun);
    return Outcome::Failed;
  }
  std::size_t i = 0;
  for (; i < group_.size(); ++i) {
    if (!savepoints) {
      if (apply_batch(group_[i])) continue;
      (void)sql_.rollback.run();  // fails harmlessly if SQLite already rolled back
      ops_.forget_uncommitted();
      return Outcome::BatchFailed;
    }
    const std::size_t mark = ops_.telemetry_mark();
    Status s = sql_.savepoint.run();
    if (s) s = apply_batch(group_[i]);
    if (s) {
      s = sql_.release.run();
    } else {
      (void)sql_.rollback_to.run();
      (void)sql_.release.run();
      ops_.forget_since(mark);
    }
    if (sqlite3_get_autocommit(db_.get())) break;  // SQLite aborted the whole transaction
    results_[i] = std::move(s);
  }
  if (i < group_.size()) {
    // Some errors (I/O, disk full) roll back the transaction itself: nothing of the group is
    // durable, so every batch fails.
    results_.assign(group_.size(), fail("storage_error", "transaction aborted while applying a batch"));
    ops_.forget_uncommitted();
    return Outcome::Failed;
  }
  if (auto c = sql_.commit.run(); !c) {
    (void)sql_.rollback.run();
    ops_.forget_uncommitted();
    results_.assign(group_.size(), c);
    return Outcome::Failed;
  }
  return Outcome::Committed;
}

void GroupCommitWriter::commit_group() {
  const auto started = std::chrono::steady_clock::now();
  results_.assign(group_.size(), Status{});
  // Optimistic pass without a SAVEPOINT per batch: a savepoint makes SQLite copy every page a
  // batch touches again (the same table and index leaves, batch after batch) into the statement
  // journal. Batches almost never fail; when one does, the whole transaction has been rolled
  // back and the group is replayed with a savepoint per batch, so only that batch fails.
  Outcome outcome = run_group(/*savepoints=*/false);
  if (outcome == Outcome::BatchFailed) outcome = run_group(/*savepoints=*/true);
  const bool committed = outcome == Outcome::Committed;
  if (committed) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (metrics_.commit_seconds) metrics_.commit_seconds->observe(seconds);
    if (metrics_.commits) metrics_.commits->inc();
    commits_.fetch_add(1, std::memory_order_relaxed);
  }
  finish_group(committed);
}

void GroupCommitWriter::finish_group(bool committed) {
  std::uint64_t batches = 0, ops = 0;
  for (std::size_t i = 0; i < group_.size(); ++i) {
    const Pending& p = group_[i];
    if (committed && results_[i] && p.reserve_ids == 0) {
      ++batches;
      ops += p.batch.size();
      if (!metrics_.ops.empty())
        for (const WriteOp& op : p.batch) metrics_.ops[op.index()]->inc();
    }
  }
  batches_committed_.fetch_add(batches, std::memory_order_relaxed);
  ops_committed_.fetch_add(ops, std::memory_order_relaxed);
  // Acknowledge only now: COMMIT has returned, so every successful batch is durable.
  for (std::size_t i = 0; i < group_.size(); ++i) call_done(group_[i].done, results_[i]);
}

}  // namespace cp::store::sqlite
