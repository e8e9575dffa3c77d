//! Offramp's generic CSV: any history can be brought in through it. Documented in the README.
//!
//! ```text
//! timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency,external_id,note
//! 2024-01-05T10:00:00Z,buy,Kraken,1000.00,EUR,0.025,BTC,2.60,EUR,,,,first buy
//! ```
//! Columns may come in any order; the first seven are required, the others optional; an unknown column is an
//! error (a typo must not silently drop data).

use std::path::Path;

use offramp_core::money::parse_decimal;
use offramp_core::{Amount, Code, Timestamp, Transaction, TxKind};

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
    fn from_header(path: &Path, names: &[String]) -> Result<Columns, ImportError> {
        let mut idx = [None; 13];
        for (i, name) in names.iter().enumerate() {
            let Some(c) = GENERIC_COLUMNS.iter().position(|g| g == name) else {
                return Err(ImportError::at(
                    path,
                    1,
                    Some(name),
                    format!("unknown column {} (expected: {})", quote(name), GENERIC_COLUMNS.join(",")),
                ));
            };
            if idx[c].replace(i).is_some() {
                return Err(ImportError::at(path, 1, Some(name), "the column appears twice"));
            }
        }
        if let Some(missing) = (0..REQUIRED).find(|&c| idx[c].is_none()) {
            return Err(ImportError::at(path, 1, Some(GENERIC_COLUMNS[missing]), "required column is missing"));
        }
        Ok(Columns(idx))
    }
}

pub fn parse(path: &Path, names: &[String], reader: &mut csv::Reader<&[u8]>) -> Result<Vec<ParsedRow>, ImportError> {
    let cols = Columns::from_header(path, names)?;
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                let msg = match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        format!("expected {expected_len} fields, found {len} (a truncated or malformed row)")
                    }
                    _ => format!("cannot read the row: {e}"),
                };
                return Err(ImportError::at(path, line, None, msg));
            }
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let row = Row { path, line, record: &record, cols: &cols };
        rows.push(ParsedRow { line, tx: row.parse()? });
    }
    Ok(rows)
}

struct Row<'a> {
    path: &'a Path,
    line: u64,
    record: &'a csv::ByteRecord,
    cols: &'a Columns,
}

impl Row<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> ImportError {
        ImportError::at(self.path, self.line, Some(field), message)
    }

    /// The trimmed text of a column ("" when the column is absent from the file).
    fn text(&self, c: usize) -> Result<&str, ImportError> {
        let Some(i) = self.cols.0[c] else {
            return Ok("");
        };
        let bytes = self.record.get(i).unwrap_or(b"");
        std::str::from_utf8(bytes)
            .map(str::trim)
            .map_err(|_| self.err(GENERIC_COLUMNS[c], "not valid UTF-8 text (save the file as UTF-8)"))
    }

    fn amount(&self, amount_col: usize, code_col: usize) -> Result<Option<Amount>, ImportError> {
        let (value, code) = (self.text(amount_col)?, self.text(code_col)?);
        match (value.is_empty(), code.is_empty()) {
            (true, true) => Ok(None),
            (false, true) => Err(self.err(GENERIC_COLUMNS[code_col], "missing: an amount needs its asset or currency")),
            (true, false) => {
                Err(self.err(GENERIC_COLUMNS[amount_col], format!("missing: {code} is given without an amount")))
            }
            (false, false) => {
                let v = parse_decimal(value).map_err(|e| self.err(GENERIC_COLUMNS[amount_col], e.to_string()))?;
                let c = Code::parse(code).map_err(|e| self.err(GENERIC_COLUMNS[code_col], e.to_string()))?;
                Ok(Some(Amount::new(v, c)))
            }
        }
    }

    fn parse(&self) -> Result<Transaction, ImportError> {
        let ts_text = self.text(0)?;
        let timestamp = Timestamp::parse_rfc3339(ts_text).map_err(|e| self.err("timestamp", e.to_string()))?;
        let kind: TxKind = self.text(1)?.to_ascii_lowercase().parse().map_err(|e: String| self.err("type", e))?;
        let account = self.text(2)?;
        if account.chars().count() > 100 {
            return Err(self.err("account", format!("longer than 100 characters: {}", quote(account))));
        }
        let external_id = Some(self.text(11)?).filter(|s| !s.is_empty()).map(String::from);
        let note = self.text(12)?;
        if note.len() > 10_000 {
            return Err(self.err("note", format!("longer than 10,000 bytes: {}", quote(note))));
        }
        let tx = Transaction {
            timestamp,
            account: account.to_string(),
            kind,
            sent: self.amount(3, 4)?,
            received: self.amount(5, 6)?,
            fee: self.amount(7, 8)?,
            fiat_value: self.amount(9, 10)?,
            external_id,
            note: note.to_string(),
        };
        tx.validate().map_err(|e| {
            let field = match e.field {
                "sent" => "sent_amount",
                "received" => "received_amount",
                "fee" => "fee_amount",
                other => other,
            };
            self.err(field, e.reason)
        })?;
        Ok(tx)
    }
}
