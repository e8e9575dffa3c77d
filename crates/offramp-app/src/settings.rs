//! Report settings kept in the ledger, per jurisdiction (every jurisdiction has its own; none reads another's).

use offramp_core::tax::TransferFee;
use offramp_core::Jurisdiction;
use serde::Serialize;

use crate::{AppError, ErrorCode, Session};

/// The settings key of a jurisdiction's transfer-fee treatment.
pub(crate) fn transfer_fee_key(j: Jurisdiction) -> String {
    format!("transfer_fee.{}", j.id())
}

/// Reads a jurisdiction id typed by the user, naming the field.
pub fn parse_jurisdiction(field: &str, text: &str) -> Result<Jurisdiction, AppError> {
    Jurisdiction::parse(text).map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("{field}: {e}")))
}

/// Reads a transfer-fee treatment (`disposal` or `basis`).
pub fn parse_transfer_fee(text: &str) -> Result<TransferFee, AppError> {
    match text {
        "disposal" => Ok(TransferFee::Disposal),
        "basis" => Ok(TransferFee::Basis),
        other => Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("transfer fee: `{}` (disposal or basis)", offramp_core::text::clip(other)),
        )),
    }
}

fn transfer_fee_text(t: TransferFee) -> &'static str {
    match t {
        TransferFee::Disposal => "disposal",
        TransferFee::Basis => "basis",
    }
}

/// One jurisdiction's treatment of the network fee of a move between the user's own accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TransferFeeSetting {
    pub jurisdiction: Jurisdiction,
    /// `disposal` (the fee's units are sold for their value) or `basis` (the units that arrive keep the whole
    /// cost).
    pub treatment: String,
    /// Whether this is the default (not set by the user).
    pub default: bool,
}

impl Session {
    /// Sets how the network fee of an own transfer is treated in `jurisdiction`'s reports.
    pub fn set_transfer_fee(&mut self, jurisdiction: &str, treatment: &str) -> Result<TransferFeeSetting, AppError> {
        let j = parse_jurisdiction("jurisdiction", jurisdiction)?;
        let t = parse_transfer_fee(treatment)?;
        self.ledger_mut().set_setting(&transfer_fee_key(j), transfer_fee_text(t))?;
        Ok(TransferFeeSetting { jurisdiction: j, treatment: transfer_fee_text(t).into(), default: false })
    }

    /// The transfer-fee treatment of every jurisdiction (the default where not set).
    pub fn transfer_fees(&self) -> Result<Vec<TransferFeeSetting>, AppError> {
        Jurisdiction::ALL
            .into_iter()
            .map(|j| {
                let set = self.ledger().setting(&transfer_fee_key(j))?;
                let t = match &set {
                    Some(v) => parse_transfer_fee(v)?,
                    None => TransferFee::default(),
                };
                Ok(TransferFeeSetting {
                    jurisdiction: j,
                    treatment: transfer_fee_text(t).into(),
                    default: set.is_none(),
                })
            })
            .collect()
    }
}

/// The user's defaults, kept in the (encrypted) ledger: the country whose tax rules apply, the fiat currency sales
/// go into, the US method per year and the pooling of lots. Reports and sales start from them; each can still be
/// chosen per report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Preferences {
    pub jurisdiction: Jurisdiction,
    /// ISO 4217, e.g. `USD`.
    pub currency: String,
    /// US lot method, per year if wanted: `fifo`, `hifo`, `fifo,2023=hifo`.
    pub method: String,
    /// `transition` (across accounts until 2024, per account from 2025) or `per-account`.
    pub pooling: String,
}

impl Default for Preferences {
    fn default() -> Preferences {
        Preferences {
            jurisdiction: Jurisdiction::Us,
            currency: "USD".into(),
            method: "fifo".into(),
            pooling: "transition".into(),
        }
    }
}

const PREF_KEYS: [&str; 4] = ["pref.jurisdiction", "pref.currency", "pref.method", "pref.pooling"];

impl Preferences {
    /// Checks every field (naming the one that is wrong) and returns them in their canonical form.
    pub fn checked(self) -> Result<Preferences, AppError> {
        let currency = offramp_core::Code::parse(self.currency.trim())
            .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("currency: {e}")))?;
        if !currency.is_fiat() {
            return Err(AppError::new(ErrorCode::InvalidInput, format!("currency: {currency} is not a fiat currency")));
        }
        crate::report::Basis::parse(self.method.trim(), self.pooling.trim())?;
        Ok(Preferences {
            jurisdiction: self.jurisdiction,
            currency: currency.as_str().to_string(),
            method: self.method.trim().to_string(),
            pooling: self.pooling.trim().to_string(),
        })
    }
}

impl Session {
    /// The user's defaults (see [`Preferences`]); the built-in ones where not set.
    pub fn preferences(&self) -> Result<Preferences, AppError> {
        let d = Preferences::default();
        let get = |k: &str| self.ledger().setting(k);
        let jurisdiction = match get(PREF_KEYS[0])? {
            Some(j) => parse_jurisdiction("jurisdiction", &j)?,
            None => d.jurisdiction,
        };
        Ok(Preferences {
            jurisdiction,
            currency: get(PREF_KEYS[1])?.unwrap_or(d.currency),
            method: get(PREF_KEYS[2])?.unwrap_or(d.method),
            pooling: get(PREF_KEYS[3])?.unwrap_or(d.pooling),
        })
    }

    /// Sets the user's defaults, all checked before any is written.
    pub fn set_preferences(&mut self, p: Preferences) -> Result<Preferences, AppError> {
        let p = p.checked()?;
        let values = [p.jurisdiction.id().to_string(), p.currency.clone(), p.method.clone(), p.pooling.clone()];
        for (k, v) in PREF_KEYS.iter().zip(values) {
            self.ledger_mut().set_setting(k, &v)?;
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Flavor, Key};

    #[test]
    fn preferences_are_checked_kept_and_defaulted() {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config::resolve(Flavor::Dev, Some(tmp.path().to_path_buf()), None);
        let key = Key::Passphrase("pw".into());
        crate::ledger::init_ledger(&config, &key).unwrap();
        let mut s = Session::open(&config, &key).unwrap();
        assert_eq!(s.preferences().unwrap(), Preferences::default());
        let uk = Preferences { jurisdiction: Jurisdiction::Uk, currency: " gbp".into(), ..Preferences::default() };
        assert_eq!(s.set_preferences(uk).unwrap().currency, "GBP");
        let mut bad = |p: Preferences| s.set_preferences(p).unwrap_err().message;
        assert!(bad(Preferences { currency: "BTC".into(), ..Preferences::default() }).starts_with("currency: BTC"));
        assert!(bad(Preferences { method: "fofo".into(), ..Preferences::default() }).contains("fofo"));
        drop(s);
        let s = Session::open(&config, &key).unwrap();
        let p = s.preferences().unwrap();
        assert_eq!((p.jurisdiction, p.currency.as_str(), p.method.as_str()), (Jurisdiction::Uk, "GBP", "fifo"));
    }
}
