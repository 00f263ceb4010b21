-- 0006_telemetry_index: the (pile, ts) lookup of telemetry is built in sorted batches instead of
-- row by row (docs/storage.md, "Telemetry index").
--
-- With a per-row index every telemetry insert lands in its own pile's index leaf, so a group
-- commit of N piles' samples writes N index pages to the WAL. Rows now go to `telemetry` in
-- arrival order only (its last page or two per commit); the writer adds the rows above
-- `telemetry_index_state.indexed_up_to` to `telemetry_index` in (pile, ts, id) order once
-- enough have accumulated or enough time has passed, and moves the watermark in the same
-- transaction. Reads combine the index (rows up to the watermark) with a scan of the rows above
-- it, which the batch size bounds.
DROP INDEX telemetry_by_pile;
CREATE TABLE telemetry_index (
  pile INTEGER NOT NULL,  -- telemetry_piles.id
  ts   INTEGER NOT NULL,
  id   INTEGER NOT NULL,  -- telemetry.id
  PRIMARY KEY (pile, ts, id)
) WITHOUT ROWID;
CREATE TABLE telemetry_index_state (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_up_to INTEGER NOT NULL  -- every telemetry row with id <= this is in telemetry_index
);
INSERT INTO telemetry_index (pile, ts, id) SELECT pile, ts, id FROM telemetry ORDER BY pile, ts, id;
INSERT INTO telemetry_index_state (id, indexed_up_to) SELECT 1, COALESCE(MAX(id), 0) FROM telemetry;
