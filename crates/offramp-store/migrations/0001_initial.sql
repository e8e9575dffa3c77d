-- Schema 1: accounts, import sources, transactions, own-transfer links.
-- Decimals are TEXT (exact, as parsed); instants are INTEGER microseconds since the Unix epoch, UTC.

CREATE TABLE accounts (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    venue   TEXT NOT NULL,           -- venue id (e.g. 'kraken') or 'self-custody' or 'other'
    holder  TEXT NOT NULL DEFAULT 'me'
);

CREATE TABLE sources (
    id              INTEGER PRIMARY KEY,
    file_name       TEXT NOT NULL,
    file_sha256     BLOB NOT NULL,
    format          TEXT NOT NULL,   -- importer variant, e.g. 'generic-v1'
    imported_at_us  INTEGER NOT NULL,
    rows_read       INTEGER NOT NULL,
    rows_added      INTEGER NOT NULL
);

CREATE TABLE transactions (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts(id),
    ts_us            INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    sent_amount      TEXT,
    sent_asset       TEXT,
    received_amount  TEXT,
    received_asset   TEXT,
    fee_amount       TEXT,
    fee_asset        TEXT,
    value_amount     TEXT,            -- NULL: needs price (never zero)
    value_currency   TEXT,
    external_id      TEXT,
    note             TEXT NOT NULL DEFAULT '',
    source_id        INTEGER NOT NULL REFERENCES sources(id),
    source_line      INTEGER NOT NULL,
    fingerprint      BLOB NOT NULL,
    CHECK ((sent_amount IS NULL) = (sent_asset IS NULL)),
    CHECK ((received_amount IS NULL) = (received_asset IS NULL)),
    CHECK ((fee_amount IS NULL) = (fee_asset IS NULL)),
    CHECK ((value_amount IS NULL) = (value_currency IS NULL))
);
CREATE INDEX transactions_by_time ON transactions(ts_us);
-- Duplicates: the fingerprint index leads with the time, so rows arriving in time order append to it instead of
-- landing at random places (a fingerprint covers the time, so uniqueness is the same as on the fingerprint alone).
CREATE UNIQUE INDEX transactions_fingerprint ON transactions(ts_us, fingerprint);
CREATE INDEX transactions_by_account ON transactions(account_id, ts_us);

-- The user's decisions on own-transfer pairs (proposals themselves are computed, not stored).
CREATE TABLE transfer_links (
    out_tx  INTEGER NOT NULL REFERENCES transactions(id),
    in_tx   INTEGER NOT NULL REFERENCES transactions(id),
    status  TEXT NOT NULL CHECK (status IN ('confirmed', 'rejected')),
    PRIMARY KEY (out_tx, in_tx)
);
-- A leg belongs to at most one confirmed transfer.
CREATE UNIQUE INDEX transfer_links_confirmed_out ON transfer_links(out_tx) WHERE status = 'confirmed';
CREATE UNIQUE INDEX transfer_links_confirmed_in ON transfer_links(in_tx) WHERE status = 'confirmed';
