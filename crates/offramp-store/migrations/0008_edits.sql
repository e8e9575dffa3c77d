-- Schema 8: hand edits with a history. Nothing is deleted or overwritten: each edit is a new record naming what
-- it replaces, who made it and when. An added or corrected transaction is a new row of `transactions` (source
-- file 'edit', line = the edit's id); the row it replaces stays as it was. An 'undo' edit takes an earlier edit
-- back. `transactions.retired` is derived from this table (recomputed in the same database transaction as every
-- edit): 1 for a row that a standing edit replaced or voided, or that an undone edit added; reports, balances,
-- transfers and exports read only rows with retired = 0, and the transaction list shows every row with its state.
CREATE TABLE edits (
    id              INTEGER PRIMARY KEY,
    action          TEXT NOT NULL CHECK (action IN ('add', 'edit', 'void', 'undo')),
    target_tx       INTEGER REFERENCES transactions(id),
    replacement_tx  INTEGER REFERENCES transactions(id),
    undoes          INTEGER REFERENCES edits(id),
    reason          TEXT NOT NULL DEFAULT '',
    document        TEXT NOT NULL DEFAULT '',
    price_source    TEXT,
    made_by         TEXT NOT NULL,
    made_at_us      INTEGER NOT NULL,
    CHECK ((action IN ('edit', 'void')) = (target_tx IS NOT NULL)),
    CHECK ((action IN ('add', 'edit')) = (replacement_tx IS NOT NULL)),
    CHECK ((action = 'undo') = (undoes IS NOT NULL))
);
CREATE INDEX edits_by_target ON edits(target_tx);
ALTER TABLE transactions ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
