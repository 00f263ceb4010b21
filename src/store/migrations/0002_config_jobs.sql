-- 0002_config_jobs: remote configuration jobs, what piles report of their configuration, and
-- data-acquisition policies (docs/storage.md). Ids are server-generated opaque strings.

-- One row per job. `parameters` is the canonical, ordered JSON array [{"parameter","value"}]
-- validated against the catalogue; `targets` is the selection as the operator sent it.
-- `seq` orders the list (newest first) and serves as the paging cursor.
CREATE TABLE config_jobs (
  seq                 INTEGER PRIMARY KEY,
  id                  TEXT NOT NULL UNIQUE,
  created             INTEGER NOT NULL,
  created_by          TEXT NOT NULL,
  origin              TEXT NOT NULL DEFAULT 'api',   -- api | acquisition_policy
  targets             TEXT NOT NULL,
  parameters          TEXT NOT NULL,
  deliver_when_online INTEGER NOT NULL DEFAULT 0,
  expires             INTEGER,                       -- waiting piles give up at this time
  state               TEXT NOT NULL CHECK (state IN ('Running', 'Completed')),
  updated             INTEGER NOT NULL,
  idempotency_key     TEXT,
  request_digest      TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX config_jobs_idempotency ON config_jobs (created_by, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX config_jobs_unfinished ON config_jobs (state) WHERE state <> 'Completed';

-- Each targeted pile's progress through a job.
CREATE TABLE config_job_piles (
  job      TEXT NOT NULL REFERENCES config_jobs(id) ON DELETE CASCADE,
  pile     TEXT NOT NULL,
  state    TEXT NOT NULL CHECK (state IN ('Queued', 'Waiting', 'Running', 'Done')),
  attempts INTEGER NOT NULL DEFAULT 0,
  updated  INTEGER NOT NULL,
  PRIMARY KEY (job, pile)
) WITHOUT ROWID;

-- The result of every parameter on every pile (Pending until the pile answers).
CREATE TABLE config_job_results (
  job            TEXT NOT NULL REFERENCES config_jobs(id) ON DELETE CASCADE,
  pile           TEXT NOT NULL,
  parameter      TEXT NOT NULL,
  value          TEXT NOT NULL,
  status         TEXT NOT NULL,
  detail         TEXT NOT NULL DEFAULT '',
  reported_value TEXT,
  updated        INTEGER NOT NULL,
  PRIMARY KEY (job, pile, parameter)
) WITHOUT ROWID;

-- The configuration each pile last reported (GetConfiguration / read-back), by protocol key.
CREATE TABLE pile_config (
  pile      TEXT NOT NULL,
  key       TEXT NOT NULL,
  parameter TEXT NOT NULL DEFAULT '',  -- catalogue name when the key maps to one
  value     TEXT,
  readonly  INTEGER NOT NULL DEFAULT 0,
  updated   INTEGER NOT NULL,
  PRIMARY KEY (pile, key)
) WITHOUT ROWID;

-- Data-acquisition policy: scope '*' is the fleet default, otherwise a pile id (override).
-- NULL fields inherit from the fleet default (or the built-in default).
CREATE TABLE acquisition_policies (
  scope                TEXT PRIMARY KEY,
  sample_interval_s    INTEGER,
  heartbeat_interval_s INTEGER,
  aligned_interval_s   INTEGER,
  measurands           TEXT,       -- comma-separated; NULL = inherit
  updated              INTEGER NOT NULL,
  updated_by           TEXT NOT NULL,
  job                  TEXT NOT NULL DEFAULT ''  -- the configuration job that applied it
) WITHOUT ROWID;
