-- Schema 7: official exchange rates fetched from their publishers (HMRC, ECB, Bank of Canada), laid over the rates
-- the app ships with. One row per publisher, currency and day (a monthly rate: the month's first day); the rate as
-- the publisher prints it (decimal text) and when it was fetched.
CREATE TABLE fx_rates (
    source      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    day         TEXT NOT NULL,
    rate        TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    PRIMARY KEY (source, currency, day)
) WITHOUT ROWID;
