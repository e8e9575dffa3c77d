-- Schema 3: the user's own figures for venues (their fee, their verified limits, a desk's quote), applied over
-- the built-in catalog. Values are decimals as TEXT, exactly as entered.
CREATE TABLE venue_overrides (
    venue      TEXT NOT NULL,
    field      TEXT NOT NULL,
    value      TEXT NOT NULL,
    currency   TEXT,                -- the currency of an amount; NULL for a percentage
    note       TEXT NOT NULL DEFAULT '',
    set_on     TEXT NOT NULL,       -- the date the user set it (YYYY-MM-DD)
    PRIMARY KEY (venue, field)
);
