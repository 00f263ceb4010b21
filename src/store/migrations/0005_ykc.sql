-- 0005_ykc: what YKC piles (docs/ykc.md) need beyond an OCPP pile.
--
-- piles: per-pile frame encryption and protocol variant options. The key is never stored in
-- clear: `sealed_key` is AES-256-GCM ciphertext under a key-encryption key kept outside the
-- database (services/pile_keys.h); `key_fingerprint` is what the API shows instead of the key.
-- `protocol_options` is a JSON object of the protocol's variant switches ('{}' = defaults).
ALTER TABLE piles ADD COLUMN cipher TEXT NOT NULL DEFAULT 'none'
  CHECK (cipher IN ('none', 'des', '3des'));
ALTER TABLE piles ADD COLUMN sealed_key TEXT NOT NULL DEFAULT '';
ALTER TABLE piles ADD COLUMN key_fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE piles ADD COLUMN protocol_options TEXT NOT NULL DEFAULT '{}';

-- transactions: the protocol's own reference of a transaction when the pile, not the server,
-- names it (YKC's 32-digit transaction serial). A record the pile re-sends (its acknowledgement
-- was lost) finds the transaction it already created instead of creating another.
ALTER TABLE transactions ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX transactions_by_external_id ON transactions (pile, external_id)
  WHERE external_id <> '';
