//! Offramp's generic CSV: any history can be brought in through it. Documented in the README.
//!
//! ```text
//! timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency,external_id,note
//! 2024-01-05T10:00:00Z,buy,Kraken,1000.00,EUR,0.025,BTC,2.60,EUR,,,,first buy
//! ```
//! Columns may come in any order; the first seven are required, the others optional; an unknown column is an
//! error (a typo must not silently drop data).

use offramp_core::money::parse_decimal;
use offramp_core::{Amount, Code, Timestamp, Transaction, TxKind};

use super::sheet::{Cells, Sheet};
use super::ParsedRow;
use crate::error::quote;
use crate::ImportError;

pub const GENERIC_FORMAT: &str = "generic-v1";

pub const GENERIC_COLUMNS: [&str; 13] = [
    "timestamp",
    "type",
    "account",
    "sent_amount",
    "sent_asset",
    "received_amount",
    "received_asset",
    "fee_amount",
    "fee_asset",
    "fiat_value",
    "fiat_currency",
    "external_id",
    "note",
];
const REQUIRED: usize = 7;

/// The generic format is recognised by its first two required columns; the rest of the header is then checked
/// strictly, so a nearly-right header gets a precise error rather than "unknown format".
pub fn recognises(names: &[String]) -> bool {
    names.iter().any(|n| n == "timestamp") && names.iter().any(|n| n == "sent_asset")
}

struct Columns([Option<usize>; 13]);

impl Columns {
    fn from_header(sheet: &Sheet) -> Result<Columns, ImportError> {
        let (path, line) = (sheet.path, sheet.header_line());
        let mut idx = [None; 13];
        for (i, name) in sheet.names.iter().enumerate() {
            let Some(c) = GENERIC_COLUMNS.iter().position(|g| g == name) else {
                return Err(ImportError::at(
                    path,
                    line,
                    Some(name),
                    format!("unknown column {} (expected: {})", quote(name), GENERIC_COLUMNS.join(",")),
                ));
            };
            if idx[c].replace(i).is_some() {
                return Err(ImportError::at(path, line, Some(name), "the column appears twice"));
            }
        }
        if let Some(missing) = (0..REQUIRED).find(|&c| idx[c].is_none()) {
            return Err(ImportError::at(path, line, Some(GENERIC_COLUMNS[missing]), "required column is missing"));
        }
        Ok(Columns(idx))
    }
}

pub fn parse(sheet: &mut Sheet) -> Result<Vec<ParsedRow>, ImportError> {
    let cols = Columns::from_header(sheet)?;
    sheet.map_rows(&mut |cells| parse_row(cells, &cols))
}

fn amount(c: &Cells, cols: &Columns, amount_col: usize, code_col: usize) -> Result<Option<Amount>, ImportError> {
    let (value, code) = (c.text(cols.0[amount_col])?, c.text(cols.0[code_col])?);
    match (value.is_empty(), code.is_empty()) {
        (true, true) => Ok(None),
        (false, true) => Err(c.err(GENERIC_COLUMNS[code_col], "missing: an amount needs its asset or currency")),
        (true, false) => {
            Err(c.err(GENERIC_COLUMNS[amount_col], format!("missing: {} is given without an amount", quote(code))))
        }
        (false, false) => {
            let v = parse_decimal(value).map_err(|e| c.err(GENERIC_COLUMNS[amount_col], e.to_string()))?;
            let code = Code::parse(code).map_err(|e| c.err(GENERIC_COLUMNS[code_col], e.to_string()))?;
            Ok(Some(Amount::new(v, code)))
        }
    }
}

fn parse_row(c: &Cells, cols: &Columns) -> Result<Transaction, ImportError> {
    let ts_text = c.text(cols.0[0])?;
    let timestamp = Timestamp::parse_rfc3339(ts_text).map_err(|e| c.err("timestamp", e.to_string()))?;
    let kind: TxKind = c.text(cols.0[1])?.to_ascii_lowercase().parse().map_err(|e: String| c.err("type", e))?;
    let account = offramp_core::text::from_spreadsheet_safe(c.text(cols.0[2])?);
    if account.chars().count() > 100 {
        return Err(c.err("account", format!("longer than 100 characters: {}", quote(account))));
    }
    let external_id = Some(offramp_core::text::from_spreadsheet_safe(c.text(cols.0[11])?))
        .filter(|s| !s.is_empty())
        .map(String::from);
    let note = offramp_core::text::from_spreadsheet_safe(c.text(cols.0[12])?);
    if note.len() > 10_000 {
        return Err(c.err("note", format!("longer than 10,000 bytes: {}", quote(note))));
    }
    let tx = Transaction {
        timestamp,
        account: account.to_string(),
        kind,
        sent: amount(c, cols, 3, 4)?,
        received: amount(c, cols, 5, 6)?,
        fee: amount(c, cols, 7, 8)?,
        fiat_value: amount(c, cols, 9, 10)?,
        external_id,
        note: note.to_string(),
    };
    validated(c, tx, |field| match field {
        "sent" => "sent_amount",
        "received" => "received_amount",
        "fee" => "fee_amount",
        other => other,
    })
}

/// Runs the core's checks on a transaction built from a row, naming the file's column for a failing field.
pub fn validated(c: &Cells, tx: Transaction, column: impl Fn(&str) -> &str) -> Result<Transaction, ImportError> {
    tx.validate().map_err(|e| c.err(column(e.field), e.reason))?;
    Ok(tx)
}
