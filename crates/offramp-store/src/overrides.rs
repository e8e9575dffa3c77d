//! The user's own venue figures and settings, kept in the ledger (they are the user's private data too).

use offramp_core::money::parse_decimal;
use offramp_core::overrides::{Field, Override};
use offramp_core::Code;
use rusqlite::params;

use crate::{Ledger, StoreError};

impl Ledger {
    /// Sets (or replaces) one of the user's figures for a venue.
    pub fn set_override(&mut self, o: &Override) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO venue_overrides (venue, field, value, currency, note, set_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (venue, field) DO UPDATE SET value = excluded.value, currency = excluded.currency,
                note = excluded.note, set_on = excluded.set_on",
            params![
                o.venue,
                o.field.as_str(),
                o.value.to_string(),
                o.currency.map(|c| c.as_str().to_string()),
                o.note,
                o.set_on
            ],
        )?;
        Ok(())
    }

    /// Removes one figure; `false` when there was none.
    pub fn remove_override(&mut self, venue: &str, field: Field) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute("DELETE FROM venue_overrides WHERE venue = ?1 AND field = ?2", params![venue, field.as_str()])?;
        Ok(n == 1)
    }

    /// A setting's value, if the user set it.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self.conn.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)) {
            Ok(v) => Ok(Some(v)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Sets a setting (the caller checks the value).
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Every figure the user has set, by venue and field.
    pub fn overrides(&self) -> Result<Vec<Override>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT venue, field, value, currency, note, set_on FROM venue_overrides ORDER BY venue, field")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (venue, field, value, currency, note, set_on) = row?;
            let bad = |what: String| StoreError::Corrupt {
                path: self.path().to_path_buf(),
                detail: format!("venue override {venue}/{field}: {what}"),
            };
            out.push(Override {
                field: field.parse().map_err(bad)?,
                value: parse_decimal(&value).map_err(|e| bad(e.to_string()))?,
                currency: currency.map(|c| Code::parse(&c)).transpose().map_err(|e| bad(e.to_string()))?,
                venue,
                note,
                set_on,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Key, Ledger};
    use offramp_core::overrides::{Field, Override};

    #[test]
    fn set_replace_list_remove() {
        let tmp = tempfile::tempdir().unwrap();
        let mut l = Ledger::create(&tmp.path().join("l"), &Key::Passphrase("k".into())).unwrap();
        let o = Override::parse("kraken", "limit_day", "25000.50 USD", "verified level", "2026-11-28").unwrap();
        l.set_override(&o).unwrap();
        l.set_override(&Override::parse("kraken_otc", "spread_pct", "0.35", "", "2026-11-28").unwrap()).unwrap();
        assert_eq!(l.overrides().unwrap()[0], o, "read back exactly, trailing zero included");
        let newer = Override::parse("kraken", "limit_day", "30000 USD", "", "2026-11-29").unwrap();
        l.set_override(&newer).unwrap();
        let all = l.overrides().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0], newer);
        assert!(l.remove_override("kraken", Field::LimitDay).unwrap());
        assert!(!l.remove_override("kraken", Field::LimitDay).unwrap());
        assert_eq!(l.overrides().unwrap().len(), 1);
        assert_eq!(l.setting("transfer_fee.us").unwrap(), None);
        l.set_setting("transfer_fee.us", "basis").unwrap();
        l.set_setting("transfer_fee.us", "disposal").unwrap();
        assert_eq!(l.setting("transfer_fee.us").unwrap().as_deref(), Some("disposal"));
    }
}
