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
