-- Schema 4: the user's settings that change how reports read the ledger (e.g. the treatment of own-transfer
-- fees per jurisdiction). Kept in the ledger so every report, on every device, reads the ledger the same way.
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
