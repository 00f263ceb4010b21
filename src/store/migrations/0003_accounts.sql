-- 0003_accounts: durable bearer tokens (login sessions and named API tokens) and the audit log.
-- Same conventions as 0001_initial: INTEGER UTC milliseconds, NULL only for explicit absence.

-- One row per bearer token ever issued. The secret itself is never stored: only its SHA-256.
-- The secret is 32 random bytes from the CSPRNG, so there is no dictionary to stretch against
-- and a fast hash is the right choice (a slow KDF would cost CPU on every request for nothing;
-- PBKDF2 is for the guessable passwords in `users`). `id` is a public handle (lists, DELETE,
-- audit), not a secret. No foreign key to users: deleting a user revokes its tokens and keeps
-- the rows, so the audit log's token ids stay meaningful.
CREATE TABLE tokens (
  id        TEXT PRIMARY KEY,
  kind      TEXT NOT NULL CHECK (kind IN ('session', 'api')),
  name      TEXT NOT NULL DEFAULT '',   -- '' for sessions
  owner     TEXT NOT NULL,              -- users.username
  role      TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),  -- upper bound
  digest    BLOB NOT NULL UNIQUE,       -- SHA-256(secret), 32 bytes
  created   INTEGER NOT NULL,
  expires   INTEGER,                    -- NULL: an API token without expiry
  last_used INTEGER,                    -- coarse: written at most every few minutes
  revoked   INTEGER                     -- NULL while usable; when it was revoked
) WITHOUT ROWID;
CREATE INDEX tokens_by_owner ON tokens (owner, kind);

-- Who did what, when. Append-only; `id` orders entries (newest first = id DESC) and is the
-- paging cursor, so each filter index ends in id and a filtered page is one index range scan.
CREATE TABLE audit (
  id     INTEGER PRIMARY KEY,
  at     INTEGER NOT NULL,
  actor  TEXT NOT NULL,               -- username of the principal of the request
  action TEXT NOT NULL,               -- "<resource>.<verb>", e.g. user.create, pile.delete
  target TEXT NOT NULL DEFAULT '',    -- the resource's id
  detail TEXT NOT NULL DEFAULT '{}'   -- JSON object text; never secrets
);
CREATE INDEX audit_by_actor ON audit (actor, id);
CREATE INDEX audit_by_action ON audit (action, id);
CREATE INDEX audit_by_target ON audit (target, id);
