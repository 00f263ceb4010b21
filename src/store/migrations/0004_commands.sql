-- 0004_commands: remote-control commands sent to piles (POST /api/v1/piles/{id}/commands,
-- src/services/control.h). A row is committed as Pending before the API answers 202, becomes
-- Sent when it is handed to the pile's session, and gets its final status, detail and the
-- pile's answer when the command ends. Rows a crash left Pending or Sent are marked
-- Interrupted at the next start (we cannot know whether the pile acted on them).

CREATE TABLE commands (
  id         TEXT PRIMARY KEY,   -- time-ordered: 12 hex digits of Unix ms, '-', 8 random hex digits
  pile       TEXT NOT NULL,      -- no foreign key: history outlives a deleted pile
  type       TEXT NOT NULL,      -- remote_start, reset, ... (docs/api.md)
  args       TEXT NOT NULL,      -- the request's args, canonical JSON object
  status     TEXT NOT NULL,      -- Pending | Sent | a final status (docs/api.md)
  detail     TEXT NOT NULL DEFAULT '',
  response   TEXT,               -- the pile's answer payload as JSON; NULL when it gave none
  created_by TEXT NOT NULL,      -- the API principal
  created    INTEGER NOT NULL,
  updated    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX commands_by_pile ON commands (pile, id);
CREATE INDEX commands_open ON commands (status) WHERE status IN ('Pending', 'Sent');
