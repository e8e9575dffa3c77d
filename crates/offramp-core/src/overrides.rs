//! The user's own figures for a venue (their fee, their verified withdrawal limits, a desk's quote), applied over
//! the catalog's published ones. Each applied override is recorded on the venue, so every screen can say which
//! figures are the user's.

use std::str::FromStr;

use serde::Serialize;

use crate::catalog::{Venue, WithdrawalLimit, WithdrawalMethod};
use crate::money::{parse_decimal, Code};
use crate::Decimal;

/// What can be overridden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Your taker fee in percent (replaces the published schedule and its tiers).
    TakerPct,
    /// Your maker fee in percent.
    MakerPct,
    /// A spread in percent: the quote an OTC desk gave you, or the premium you expect on a P2P platform.
    SpreadPct,
    /// An OTC desk's minimum ticket, in USD.
    MinTicket,
    /// What one fiat withdrawal costs you (fixed amount in its currency).
    WithdrawalFee,
    /// Your verified fiat withdrawal limit per day, per rolling 30 days, per rolling 365 days.
    LimitDay,
    LimitMonth,
    LimitYear,
}

pub const FIELDS: [Field; 8] = [
    Field::TakerPct,
    Field::MakerPct,
    Field::SpreadPct,
    Field::MinTicket,
    Field::WithdrawalFee,
    Field::LimitDay,
    Field::LimitMonth,
    Field::LimitYear,
];

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::TakerPct => "taker_pct",
            Field::MakerPct => "maker_pct",
            Field::SpreadPct => "spread_pct",
            Field::MinTicket => "min_ticket",
            Field::WithdrawalFee => "withdrawal_fee",
            Field::LimitDay => "limit_day",
            Field::LimitMonth => "limit_month",
            Field::LimitYear => "limit_year",
        }
    }

    /// A percentage (0 to 100), or else an amount of money with its currency.
    pub fn is_percent(self) -> bool {
        matches!(self, Field::TakerPct | Field::MakerPct | Field::SpreadPct)
    }
}

impl FromStr for Field {
    type Err = String;
    fn from_str(s: &str) -> Result<Field, String> {
        FIELDS.iter().copied().find(|f| f.as_str() == s).ok_or_else(|| {
            let known: Vec<&str> = FIELDS.iter().map(|f| f.as_str()).collect();
            format!("unknown field `{}` (known: {})", crate::text::clip(s), known.join(", "))
        })
    }
}

/// One of the user's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Override {
    pub venue: String,
    pub field: Field,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub value: Decimal,
    /// The currency of an amount (`None` for a percentage).
    pub currency: Option<Code>,
    pub note: String,
    /// When the user set it (a date, shown as the figure's source).
    pub set_on: String,
}

impl Override {
    /// Reads an override typed by the user: `value` is a percentage for percent fields, or an amount with its
    /// currency (`25000 EUR`) for the others. Errors name what is wrong.
    pub fn parse(venue: &str, field: &str, value: &str, note: &str, set_on: &str) -> Result<Override, String> {
        let field: Field = field.parse()?;
        let text = value.trim();
        let (number, currency) = if field.is_percent() {
            (text, None)
        } else {
            let (n, c) = text
                .split_once(char::is_whitespace)
                .ok_or_else(|| format!("{}: give an amount with its currency, e.g. `25000 EUR`", field.as_str()))?;
            let code = Code::parse(c.trim()).map_err(|e| format!("{}: {e}", field.as_str()))?;
            if !code.is_fiat() {
                return Err(format!("{}: {} is not a fiat currency", field.as_str(), code));
            }
            (n, Some(code))
        };
        let value = parse_decimal(number).map_err(|e| format!("{}: {e}", field.as_str()))?;
        if value < Decimal::ZERO {
            return Err(format!("{}: must not be negative", field.as_str()));
        }
        if field.is_percent() && value > Decimal::ONE_HUNDRED {
            return Err(format!("{}: {value} is over 100 %", field.as_str()));
        }
        // Fees, limits and tickets enter products with the sale's value: bounded so none can overflow.
        let most = Decimal::from(1_000_000_000_000_000i64);
        if value > most {
            return Err(format!("{}: {value} is more than {most}", field.as_str()));
        }
        if field == Field::MinTicket && currency.map(|c| c.as_str() != "USD").unwrap_or(false) {
            return Err("min_ticket: desks' minimum tickets are kept in USD".into());
        }
        if note.len() > 1000 {
            return Err("note: longer than 1,000 bytes".into());
        }
        Ok(Override { venue: venue.to_string(), field, value, currency, note: note.to_string(), set_on: set_on.into() })
    }

    /// How the figure reads to the user: `taker_pct 0.1 %`, `limit_day 25000 EUR`.
    pub fn describe(&self) -> String {
        match self.currency {
            None => format!("{} {} %", self.field.as_str(), self.value),
            Some(c) => format!("{} {} {c}", self.field.as_str(), self.value),
        }
    }
}

/// Applies the overrides meant for `venue` (others are ignored). Limits from overrides replace every published
/// verification level with one level, "yours"; a fee override replaces the published schedule and its tiers.
pub fn apply(venue: &mut Venue, overrides: &[Override]) {
    let mine: Vec<&Override> = overrides.iter().filter(|o| o.venue == venue.id).collect();
    if mine.is_empty() {
        return;
    }
    let source = |o: &Override| format!("your figure, set {}", o.set_on);
    let mut limits: Option<WithdrawalLimit> = None;
    for o in &mine {
        match o.field {
            Field::TakerPct | Field::MakerPct => {
                // Keep the published figure the user did not override as the base fee; yours replaces the
                // tiers and every regional schedule.
                venue.fees.tiers.clear();
                venue.fees.regional.clear();
                if o.field == Field::TakerPct {
                    venue.fees.taker_pct = Some(o.value);
                } else {
                    venue.fees.maker_pct = Some(o.value);
                }
                venue.fees.source = Some(source(o));
                venue.fees.as_of = Some(source(o));
            }
            Field::SpreadPct => venue.typical_spread_pct = Some(o.value),
            Field::MinTicket => {
                venue.min_ticket_usd = Some(o.value);
                venue.min_ticket_source = Some(source(o));
            }
            Field::WithdrawalFee => {
                let currency = o.currency.map(|c| c.as_str().to_string());
                // Yours replaces every published method for that currency (a method paying out several
                // currencies still counts for the others).
                if let Some(c) = &currency {
                    for m in venue.withdrawal_methods.iter_mut().filter(|m| m.pays_out(c)) {
                        m.replaced_for.push(c.clone());
                    }
                }
                venue.withdrawal_methods.retain(|m| m.currency != currency);
                venue.withdrawal_methods.push(WithdrawalMethod {
                    method: "your withdrawal".into(),
                    currency,
                    fee_fixed: Some(o.value),
                    source: Some(source(o)),
                    as_of: Some(o.set_on.clone()),
                    ..Default::default()
                });
            }
            Field::LimitDay | Field::LimitMonth | Field::LimitYear => {
                let l = limits.get_or_insert_with(|| WithdrawalLimit {
                    level: "yours".into(),
                    currency: o.currency.map(|c| c.as_str().to_string()),
                    fiat_per_day: None,
                    fiat_per_month: None,
                    fiat_per_year: None,
                    note: None,
                    source: Some(source(o)),
                    as_of: Some(o.set_on.clone()),
                });
                if l.currency != o.currency.map(|c| c.as_str().to_string()) {
                    // Limits in two currencies: keep the first currency's (the user is told by `overridden`).
                    continue;
                }
                match o.field {
                    Field::LimitDay => l.fiat_per_day = Some(o.value),
                    Field::LimitMonth => l.fiat_per_month = Some(o.value),
                    _ => l.fiat_per_year = Some(o.value),
                }
            }
        }
        venue.overridden.push(o.describe());
    }
    if let Some(l) = limits {
        venue.withdrawal_limits = vec![l];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::parse_catalog;
    use crate::quote::{account_limits, taker_fee_pct};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn kraken() -> Venue {
        let json = r#"[{"id":"kraken","name":"Kraken","kind":"exchange","status":"active","taker_fee_pct":0.26,
          "maker_fee_pct":0.16,"fees":{"tiers":[{"min_30d_volume":0,"maker_pct":0.16,"taker_pct":0.26},
          {"min_30d_volume":50000,"maker_pct":0.14,"taker_pct":0.24}]},
          "fiat_withdrawal_methods":[{"method":"Fedwire","currency":"USD","fee_fixed":4}],
          "withdrawal_limits":[{"level":"Pro","fiat_withdraw_per_day_usd":10000000}]}]"#;
        parse_catalog(json).unwrap().remove(0)
    }

    #[test]
    fn the_users_figures_replace_the_published_ones() {
        let mut v = kraken();
        let set = |f: &str, val: &str| Override::parse("kraken", f, val, "", "2026-11-28").unwrap();
        let all = [
            set("taker_pct", "0.1"),
            set("limit_day", "25000 USD"),
            set("limit_month", "100000 USD"),
            set("withdrawal_fee", "0 USD"),
            Override::parse("other", "taker_pct", "5", "", "2026-11-28").unwrap(),
        ];
        apply(&mut v, &all);
        assert_eq!(taker_fee_pct(&v.fees, d("1000000")), Some(d("0.1")), "tiers no longer apply");
        assert_eq!(v.fees.maker_pct, Some(d("0.16")), "what was not overridden stays published");
        let a = account_limits(&v, "USD", "US", Some("Pro")).unwrap().unwrap();
        assert_eq!((a.level.as_str(), a.chosen), ("yours", "yours"), "your limits win over a level you name");
        let limits = a.limits;
        assert_eq!((limits[0].cap, limits[1].cap), (Some(d("25000")), Some(d("100000"))));
        assert_eq!(v.withdrawal_methods.len(), 1);
        assert_eq!(v.withdrawal_methods[0].fee_fixed, Some(Decimal::ZERO));
        assert_eq!(
            v.overridden,
            ["taker_pct 0.1 %", "limit_day 25000 USD", "limit_month 100000 USD", "withdrawal_fee 0 USD"]
        );
        assert_eq!(v.fees.source.as_deref(), Some("your figure, set 2026-11-28"));
    }

    /// A withdrawal fee of yours above the published ones still wins: a method published for several currencies
    /// (SWIFT for USD/GBP/EUR, 60) no longer counts for yours (USD), and still counts for the others.
    #[test]
    fn your_withdrawal_fee_wins_even_above_the_published_ones() {
        let json = r#"[{"id":"kraken","name":"Kraken","kind":"exchange","status":"active","taker_fee_pct":0.26,
          "fiat_withdrawal_methods":[{"method":"Fedwire","currency":"USD","fee_fixed":4},
          {"method":"SWIFT","currency":"USD/GBP/EUR","fee_fixed":60}]}]"#;
        let mut v = parse_catalog(json).unwrap().remove(0);
        apply(&mut v, &[Override::parse("kraken", "withdrawal_fee", "75 USD", "my bank", "2026-11-28").unwrap()]);
        let (fee, m) = crate::quote::cheapest_withdrawal(&v, "USD", d("100000"), "US").unwrap();
        assert_eq!((fee, m.method.as_str()), (d("75"), "your withdrawal"));
        let (fee, m) = crate::quote::cheapest_withdrawal(&v, "EUR", d("100000"), "DE").unwrap();
        assert_eq!((fee, m.method.as_str()), (d("60"), "SWIFT"));
    }

    #[test]
    fn bad_overrides_say_what_is_wrong() {
        let err = |f: &str, v: &str| Override::parse("kraken", f, v, "", "2026-11-28").unwrap_err();
        assert!(err("taker", "1").starts_with("unknown field `taker`"));
        assert_eq!(err("taker_pct", "150"), "taker_pct: 150 is over 100 %");
        assert_eq!(err("taker_pct", "-1"), "taker_pct: must not be negative");
        assert!(err("taker_pct", "1e2").starts_with("taker_pct: "));
        assert_eq!(err("limit_day", "25000"), "limit_day: give an amount with its currency, e.g. `25000 EUR`");
        assert_eq!(err("limit_day", "25000 BTC"), "limit_day: BTC is not a fiat currency");
        assert_eq!(err("min_ticket", "50000 EUR"), "min_ticket: desks' minimum tickets are kept in USD");
    }
}
