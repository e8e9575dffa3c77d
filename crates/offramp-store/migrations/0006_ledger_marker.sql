-- Schema 6: a marker saying this database is an Offramp ledger, so that a restore can tell a ledger (or a backup
-- of one) from any other database that happens to open with the same key.
CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('format', 'offramp-ledger');
