-- Schema 5: one index on transactions instead of two. Every row was written into two B-trees besides the table
-- (`transactions_fingerprint (ts_us, fingerprint)` for duplicates and time order, `transactions_by_account
-- (account_id, ts_us)` for one account's history); one index leading with the account serves all three:
-- - duplicates: a fingerprint covers the account's name, and an account's name is unique, so two rows with the
--   same fingerprint are in the same account: unique on (account_id, ts_us, fingerprint) is unique on the
--   fingerprint alone, as before (the new index cannot fail on a ledger that held the old one);
-- - one account's history in time order: a range of the index;
-- - all accounts in time order: listings read a time window from each account's range and merge them
--   (see `query.rs`).
CREATE UNIQUE INDEX transactions_by_account_time ON transactions(account_id, ts_us, fingerprint);
DROP INDEX transactions_fingerprint;
DROP INDEX transactions_by_account;
