#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "core/log.h"
#include "store/sqlite/migrations.h"

namespace cp::store {
namespace sqlite {
namespace {

Result<Db> open_writer_connection(const SqliteOptions& options) {
  const std::filesystem::path path(options.path);
  if (path.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec)
      return fail("io_error", "cannot create " + path.parent_path().string() + ": " + ec.message());
  }
  auto db = Db::open(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db) return fail(db.error());
  // WAL: readers never block the writer nor the writer them. FULL syncs the WAL on every
  // COMMIT (durable across power loss); NORMAL syncs only at checkpoints (durable across a
  // process crash, the last commits may be lost on power loss).
  const char* sync = options.synchronous_full ? "PRAGMA synchronous = FULL"
                                              : "PRAGMA synchronous = NORMAL";
  for (const char* pragma : {"PRAGMA busy_timeout = 5000", "PRAGMA journal_mode = WAL", sync,
                             "PRAGMA foreign_keys = ON", "PRAGMA temp_store = MEMORY",
                             "PRAGMA cache_size = -32768",  // KiB: 32 MiB page cache for the writer
                             "PRAGMA journal_size_limit = 67108864", "PRAGMA wal_autocheckpoint = 10000"}) {
    if (auto s = db->exec(pragma); !s) return fail(s.error());
  }
  auto mode = Stmt::prepare(db->get(), "PRAGMA journal_mode");
  if (!mode) return fail(mode.error());
  if (auto row = mode->step(); !row || !*row || mode->text(0) != "wal")
    return fail("storage_error", "cannot switch " + options.path + " to WAL mode");
  return db;
}

// Highest id ever issued or reserved, then a fresh reservation above it, written before the
// writer starts so the first ids handed out are already durable.
Result<std::pair<TransactionId, TransactionId>> reserve_first_ids(Db& db) {
  auto q = Stmt::prepare(db.get(),
      "SELECT MAX(COALESCE((SELECT MAX(id) FROM transactions), 0),"
      " COALESCE((SELECT value FROM sequences WHERE name = 'transaction'), 0))");
  if (!q) return fail(q.error());
  auto row = q->step();
  if (!row) return fail(row.error());
  const TransactionId last = q->int64(0);
  q->reset();
  const TransactionId reserved = last + SqliteStore::kIdBlock;
  auto up = Stmt::prepare(db.get(), "UPDATE sequences SET value = ? WHERE name = 'transaction'");
  if (!up) return fail(up.error());
  up->bind(1, reserved);
  if (auto s = up->run(); !s) return fail(s.error());
  return std::pair{last, reserved};
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<GroupCommitWriter> writer, std::string path,
                         std::size_t reader_connections, TransactionId last_issued,
                         TransactionId reserved)
    : writer_(std::move(writer)),
      readers_(std::move(path), reader_connections),
      last_issued_(last_issued),
      reserved_(reserved) {}

SqliteStore::~SqliteStore() { close(); }

void SqliteStore::submit(WriteBatch batch, WriteDone done) {
  writer_->submit(std::move(batch), std::move(done));
}

void SqliteStore::flush() { writer_->flush(); }

void SqliteStore::close() { writer_->close(); }

StoreStats SqliteStore::stats() const { return writer_->stats(); }

TransactionId SqliteStore::next_transaction_id() {
  const TransactionId id = last_issued_.fetch_add(1, std::memory_order_relaxed) + 1;
  // Top up the durable reservation once half of it is used, so callers rarely wait.
  if (id + kIdBlock / 2 > reserved_.load(std::memory_order_acquire)) reserve_ids_through(id);
  return id;
}

void SqliteStore::reserve_ids_through(TransactionId id) {
  std::unique_lock lock(id_mu_);
  if (writer_->on_writer_thread()) {
    // Called from a `done`: waiting for the queue would wait for ourselves; write it directly.
    if (id + kIdBlock / 2 <= reserved_.load()) return;
    const TransactionId target = std::max(reserved_.load(), id) + kIdBlock;
    if (auto s = writer_->reserve_ids_inline(target); s)
      reserved_.store(std::max(reserved_.load(), target), std::memory_order_release);
    else
      spdlog::error("store_id_reservation_failed error={}", s.error().message);
    return;
  }
  for (;;) {
    if (id + kIdBlock / 2 <= reserved_.load()) return;
    if (!reserving_) {
      reserving_ = true;
      reservation_failed_ = false;
      const TransactionId target = std::max(reserved_.load(), id) + kIdBlock;
      lock.unlock();
      writer_->submit_id_reservation(target, [this, target](const Status& s) {
        {
          std::lock_guard l(id_mu_);
          reserving_ = false;
          if (s) reserved_.store(std::max(reserved_.load(), target), std::memory_order_release);
          else reservation_failed_ = true;
        }
        if (!s) spdlog::error("store_id_reservation_failed error={}", s.error().message);
        id_reserved_.notify_all();
      });
      lock.lock();
    }
    if (id <= reserved_.load()) return;  // already durable; the top-up continues in background
    id_reserved_.wait(lock, [&] { return !reserving_; });
    // Closed or failing store: nothing can be written with this id either, so don't hang.
    if (reservation_failed_) return;
  }
}

}  // namespace sqlite

Result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& options) {
  auto db = sqlite::open_writer_connection(options);
  if (!db) return fail(db.error());
  if (auto v = sqlite::migrate(*db, SystemClock{}.now()); !v) return fail(v.error());
  auto ids = sqlite::reserve_first_ids(*db);
  if (!ids) return fail(ids.error());
  auto ops = sqlite::WriteOps::prepare(db->get(), options.rejected_frames_kept);
  if (!ops) return fail(ops.error());
  auto writer = sqlite::GroupCommitWriter::start(
      std::move(*db), std::move(*ops),
      {options.queue_capacity, options.max_batches_per_commit,
       std::chrono::microseconds(options.commit_delay_us), options.commit_window_after_group, options.metrics,
       {options.telemetry_index_batch, std::chrono::milliseconds(options.telemetry_index_delay_ms)}});
  if (!writer) return fail(writer.error());
  return std::unique_ptr<Store>(std::make_unique<sqlite::SqliteStore>(
      std::move(*writer), options.path, options.reader_connections, ids->first, ids->second));
}

}  // namespace cp::store
