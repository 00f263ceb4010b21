-- 0001_initial: the first ChargePlane schema (docs/storage.md describes every table).
-- Timestamps are INTEGER UTC milliseconds since the epoch. Empty strings, not NULL, for
-- "not reported" text fields, so reads need no NULL handling; NULL only where the domain has
-- an explicit "absent" (optional fields in store.h).

CREATE TABLE piles (
  id            TEXT PRIMARY KEY,
  protocol      TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  registration  TEXT NOT NULL DEFAULT 'Accepted'
                CHECK (registration IN ('Accepted', 'Pending', 'Rejected')),
  vendor        TEXT NOT NULL DEFAULT '',
  model         TEXT NOT NULL DEFAULT '',
  serial        TEXT NOT NULL DEFAULT '',
  firmware      TEXT NOT NULL DEFAULT '',
  iccid         TEXT NOT NULL DEFAULT '',
  imsi          TEXT NOT NULL DEFAULT '',
  meter_type    TEXT NOT NULL DEFAULT '',
  meter_serial  TEXT NOT NULL DEFAULT '',
  last_seen     INTEGER,
  last_boot     INTEGER,
  created       INTEGER NOT NULL
);

-- Live connector state; goes away with its pile (ON DELETE CASCADE).
CREATE TABLE connectors (
  pile              TEXT NOT NULL REFERENCES piles(id) ON DELETE CASCADE,
  connector         INTEGER NOT NULL,
  status            TEXT NOT NULL,
  error_code        TEXT NOT NULL DEFAULT '',
  vendor_error_code TEXT NOT NULL DEFAULT '',
  info              TEXT NOT NULL DEFAULT '',
  updated           INTEGER NOT NULL,
  PRIMARY KEY (pile, connector)
) WITHOUT ROWID;

CREATE TABLE id_tags (
  id_tag        TEXT PRIMARY KEY,
  status        TEXT NOT NULL,
  expiry        INTEGER,
  parent_id_tag TEXT
) WITHOUT ROWID;

-- History: no foreign key to piles, so deleting a pile keeps its transactions.
CREATE TABLE transactions (
  id             INTEGER PRIMARY KEY,  -- issued by the server (Store::next_transaction_id)
  pile           TEXT NOT NULL,
  connector      INTEGER NOT NULL,
  id_tag         TEXT NOT NULL,
  meter_start_wh INTEGER NOT NULL,
  started        INTEGER NOT NULL,
  meter_stop_wh  INTEGER,
  stopped        INTEGER,
  stop_reason    TEXT,
  stop_id_tag    TEXT
);
CREATE INDEX transactions_by_pile ON transactions (pile, id);

-- Durable high-water marks for server-issued ids: an id is handed out only below the
-- reserved value, so no id repeats after a crash even if it was never written.
CREATE TABLE sequences (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO sequences (name, value) VALUES ('transaction', 0);

-- Telemetry is the hot table: one row per sample (pile, connector, transaction, timestamp) with
-- all its sampled values packed in `sample` (format: src/store/sqlite/sample_codec.h,
-- docs/storage.md), so a MeterValues call is one row and one index entry. Repeated strings are
-- interned in three small dictionaries so a packed value is ~10 bytes (two small varints and a
-- double). Dictionaries are append-only and never deleted, so history survives pile deletion.
CREATE TABLE telemetry_piles (
  id   INTEGER PRIMARY KEY,
  pile TEXT NOT NULL UNIQUE
);
CREATE TABLE telemetry_measurands (
  id   INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE telemetry_attributes (
  id       INTEGER PRIMARY KEY,
  phase    TEXT NOT NULL,
  unit     TEXT NOT NULL,
  context  TEXT NOT NULL,
  location TEXT NOT NULL,
  UNIQUE (phase, unit, context, location)
);
CREATE TABLE telemetry (
  id             INTEGER PRIMARY KEY,
  pile           INTEGER NOT NULL,  -- telemetry_piles.id
  ts             INTEGER NOT NULL,
  connector      INTEGER NOT NULL,
  transaction_id INTEGER,
  sample         BLOB NOT NULL      -- packed values: measurand and attributes ids, value or raw text
);
CREATE INDEX telemetry_by_pile ON telemetry (pile, ts);

CREATE TABLE data_transfers (
  id         INTEGER PRIMARY KEY,
  pile       TEXT NOT NULL,
  vendor_id  TEXT NOT NULL,
  message_id TEXT NOT NULL,
  data       TEXT NOT NULL,
  at         INTEGER NOT NULL
);
CREATE INDEX data_transfers_by_pile ON data_transfers (pile, at);

CREATE TABLE pile_status_reports (
  id     INTEGER PRIMARY KEY,
  pile   TEXT NOT NULL,
  kind   TEXT NOT NULL CHECK (kind IN ('firmware', 'diagnostics')),
  status TEXT NOT NULL,
  at     INTEGER NOT NULL
);
CREATE INDEX pile_status_reports_by_pile ON pile_status_reports (pile, kind, at);

-- Bounded audit of refused frames: ids are dense (rowid = max + 1 and only the oldest are
-- pruned), so the writer keeps the newest N with one range delete on the rowid.
CREATE TABLE rejected_frames (
  id         INTEGER PRIMARY KEY,
  pile       TEXT NOT NULL,
  at         INTEGER NOT NULL,
  protocol   TEXT NOT NULL,
  error_code TEXT NOT NULL,
  detail     TEXT NOT NULL,
  raw        TEXT NOT NULL
);

CREATE TABLE users (
  username      TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
  created       INTEGER NOT NULL
) WITHOUT ROWID;
