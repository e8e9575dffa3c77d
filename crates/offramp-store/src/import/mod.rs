//! Importers: a file is recognised by its header row, parsed completely (any bad row stops everything, naming
//! file, line and field), and only then written to the ledger in one transaction.

mod binance;
mod bitstamp;
mod coinbase;
mod gemini;
mod generic;
mod kraken;
pub(crate) mod sheet;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use offramp_core::{Timestamp, Transaction};
use rusqlite::{params, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::quote;
use crate::{ImportError, Ledger, StoreError};

pub use generic::{GENERIC_COLUMNS, GENERIC_FORMAT};
use sheet::Sheet;

/// One row read from a file, with its line number (1-based).
#[derive(Debug, Clone)]
pub struct ParsedRow {
    pub line: u64,
    pub tx: Transaction,
}

/// A whole file, parsed and validated, ready to be written.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    pub path: PathBuf,
    pub sha256: [u8; 32],
    /// The importer variant that recognised the header, e.g. `generic-v1`.
    pub format: &'static str,
    /// The venue the accounts of this file belong to (`other` when the format does not say).
    pub venue: &'static str,
    pub rows: Vec<ParsedRow>,
    /// Rows of the file deliberately not turned into transactions (see each importer's documentation).
    pub left_out: u64,
}

/// What one file's import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub file: PathBuf,
    pub format: String,
    pub rows: u64,
    pub added: u64,
    /// Rows already in the ledger (from this file imported before, or an overlapping one).
    pub already_present: u64,
    /// Added rows whose fiat value is unknown ("needs price").
    pub needs_price: u64,
    /// File rows that are not transactions (pending copies, moves between an exchange's own wallets).
    pub left_out: u64,
}

/// Reads and parses a file, recognising its format by the header. Changes nothing anywhere.
pub fn parse_file(path: &Path) -> Result<ParsedFile, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| ImportError::file(path, format!("cannot read the file: {e}")))?;
    parse_bytes(path, &bytes)
}

/// Parses file contents (`path` only names the file in errors and in the summary).
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<ParsedFile, ImportError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(ImportError::file(
            path,
            "the file is UTF-16 encoded; save it as UTF-8 (CSV UTF-8) and import again",
        ));
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Windows line ends: the csv reader would count a record that follows "\r\n" as on the previous line, so the
    // line numbers in errors would be one off. Normalise to "\n" first (inside quoted notes too, harmlessly).
    let normalised;
    let body = if body.windows(2).any(|w| w == b"\r\n") {
        normalised = crlf_to_lf(body);
        &normalised[..]
    } else {
        body
    };
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::file(path, "the file is empty"));
    }
    let (format, offset, skipped_lines) = detect(path, body)?;
    let mut sheet = Sheet::new(path, &body[offset..], skipped_lines)?;
    let rows = (format.parse)(&mut sheet)?;
    Ok(ParsedFile {
        path: path.to_path_buf(),
        sha256: Sha256::digest(bytes).into(),
        format: format.id,
        venue: format.venue,
        rows,
        left_out: sheet.left_out,
    })
}

/// An importer variant: how to recognise its header, and how to read its rows.
struct Format {
    id: &'static str,
    venue: &'static str,
    recognises: fn(&[String]) -> bool,
    parse: fn(&mut Sheet) -> Result<Vec<ParsedRow>, ImportError>,
}

/// Every known variant, most specific first.
const FORMATS: &[Format] = &[
    Format { id: GENERIC_FORMAT, venue: "other", recognises: generic::recognises, parse: generic::parse },
    Format { id: "coinbase-v4", venue: "coinbase", recognises: coinbase::is_v4, parse: coinbase::parse },
    Format { id: "coinbase-v3", venue: "coinbase", recognises: coinbase::is_v3, parse: coinbase::parse },
    Format { id: "coinbase-v2", venue: "coinbase", recognises: coinbase::is_v2, parse: coinbase::parse },
    Format { id: "coinbase-v1", venue: "coinbase", recognises: coinbase::is_v1, parse: coinbase::parse },
    Format { id: "kraken-ledgers-v3", venue: "kraken", recognises: kraken::is_v3, parse: kraken::parse },
    Format { id: "kraken-ledgers-v2", venue: "kraken", recognises: kraken::is_v2, parse: kraken::parse },
    Format { id: "kraken-ledgers-v1", venue: "kraken", recognises: kraken::is_v1, parse: kraken::parse },
    Format { id: "binance-statement-v2", venue: "binance", recognises: binance::is_v2, parse: binance::parse },
    Format { id: "binance-statement-v1", venue: "binance", recognises: binance::is_v1, parse: binance::parse },
    Format { id: "bitstamp-v2", venue: "bitstamp", recognises: bitstamp::is_v2, parse: bitstamp::parse },
    Format { id: "bitstamp-v1", venue: "bitstamp", recognises: bitstamp::is_v1, parse: bitstamp::parse },
    Format { id: "gemini-v1", venue: "gemini", recognises: gemini::is_v1, parse: gemini::parse },
];

/// How many lines from the top are searched for a header (some exports start with a title block).
const HEADER_SEARCH_LINES: usize = 20;

/// Finds the header row: returns the format, the byte offset of the header line and the lines before it.
fn detect<'f>(path: &Path, body: &[u8]) -> Result<(&'f Format, usize, u64), ImportError> {
    let mut offset = 0;
    for skipped in 0..HEADER_SEARCH_LINES {
        if offset >= body.len() {
            break;
        }
        let end = body[offset..].iter().position(|&b| b == b'\n').map(|p| offset + p + 1).unwrap_or(body.len());
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(&body[offset..end]);
        if let Ok(names) = sheet::header_names(path, &mut reader, skipped as u64 + 1) {
            if let Some(f) = FORMATS.iter().find(|f| (f.recognises)(&names)) {
                return Ok((f, offset, skipped as u64));
            }
        }
        offset = end;
    }
    let first = body.split(|&b| b == b'\n').next().unwrap_or(b"");
    let shown = quote(String::from_utf8_lossy(first).trim());
    let known: Vec<&str> = FORMATS.iter().map(|f| f.id).collect();
    Err(ImportError::at(
        path,
        1,
        None,
        format!(
            "unrecognised header {shown} (searched the first {HEADER_SEARCH_LINES} lines). Known formats: {}. \
             Any history can be imported through the generic CSV ({}).",
            known.join(", "),
            GENERIC_COLUMNS.join(",")
        ),
    ))
}

fn crlf_to_lf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    out
}

/// The content fingerprint of a transaction: what makes two rows "the same transaction". The note is left
/// out (it is commentary). `occurrence` tells apart identical rows within one file.
fn fingerprint(tx: &Transaction, occurrence: u32) -> [u8; 16] {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update(s.as_bytes());
        h.update([0u8]);
    };
    field(&tx.account);
    field(tx.kind.as_str());
    field(&tx.timestamp.unix_micros().to_string());
    for a in [&tx.sent, &tx.received, &tx.fee, &tx.fiat_value] {
        match a {
            Some(a) => {
                field(&a.value().normalize().to_string());
                field(a.code().as_str());
            }
            None => field("-"),
        }
    }
    field(tx.external_id.as_deref().unwrap_or("-"));
    field(&occurrence.to_string());
    let digest = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

fn split(a: &Option<offramp_core::Amount>) -> (Option<String>, Option<String>) {
    match a {
        Some(a) => (Some(a.value().to_string()), Some(a.code().as_str().to_string())),
        None => (None, None),
    }
}

/// How often the progress callback is called (rows).
const PROGRESS_EVERY: u64 = 4096;

impl Ledger {
    /// Writes parsed files into the ledger in **one** transaction: all rows of all files, or nothing.
    /// Rows already present (same fingerprint) are skipped and counted. `progress(done, total)` is called as rows
    /// are written; returning `false` cancels the import and rolls everything back. `now` is recorded as the
    /// import time.
    pub fn import(
        &mut self,
        files: &[ParsedFile],
        now: Timestamp,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<Vec<ImportSummary>, StoreError> {
        let total: u64 = files.iter().map(|f| f.rows.len() as u64).sum();
        let mut done = 0u64;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut summaries = Vec::with_capacity(files.len());
        {
            let mut accounts: HashMap<String, i64> = HashMap::new();
            let mut find_account = tx.prepare("SELECT id FROM accounts WHERE name = ?1")?;
            let mut add_account = tx.prepare("INSERT INTO accounts (name, venue) VALUES (?1, ?2)")?;
            let mut add_source = tx.prepare(
                "INSERT INTO sources (file_name, file_sha256, format, imported_at_us, rows_read, rows_added)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            )?;
            let mut insert = tx.prepare(
                "INSERT INTO transactions (account_id, ts_us, kind, sent_amount, sent_asset, received_amount,
                    received_asset, fee_amount, fee_asset, value_amount, value_currency, external_id, note,
                    source_id, source_line, fingerprint)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                 ON CONFLICT (ts_us, fingerprint) DO NOTHING",
            )?;
            for file in files {
                let name = file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                add_source.execute(params![
                    name,
                    &file.sha256[..],
                    file.format,
                    now.unix_micros(),
                    file.rows.len() as i64
                ])?;
                let source_id = tx.last_insert_rowid();
                let mut seen: HashMap<[u8; 16], u32> = HashMap::new();
                let (mut added, mut needs_price) = (0u64, 0u64);
                for row in &file.rows {
                    let t = &row.tx;
                    let account_id = match accounts.get(&t.account) {
                        Some(id) => *id,
                        None => {
                            let id = match find_account.query_row([&t.account], |r| r.get(0)) {
                                Ok(id) => id,
                                Err(rusqlite::Error::QueryReturnedNoRows) => {
                                    add_account.execute(params![t.account, file.venue])?;
                                    tx.last_insert_rowid()
                                }
                                Err(e) => return Err(e.into()),
                            };
                            accounts.insert(t.account.clone(), id);
                            id
                        }
                    };
                    let base = fingerprint(t, 0);
                    let n = seen.entry(base).or_insert(0);
                    let fp = if *n == 0 { base } else { fingerprint(t, *n) };
                    *n += 1;
                    let (sa, sc) = split(&t.sent);
                    let (ra, rc) = split(&t.received);
                    let (fa, fc) = split(&t.fee);
                    let (va, vc) = split(&t.fiat_value);
                    let changed = insert.execute(params![
                        account_id,
                        t.timestamp.unix_micros(),
                        t.kind.as_str(),
                        sa,
                        sc,
                        ra,
                        rc,
                        fa,
                        fc,
                        va,
                        vc,
                        t.external_id,
                        t.note,
                        source_id,
                        row.line as i64,
                        &fp[..]
                    ])?;
                    if changed == 1 {
                        added += 1;
                        needs_price += u64::from(t.needs_price());
                    }
                    done += 1;
                    if done.is_multiple_of(PROGRESS_EVERY) && !progress(done, total) {
                        return Err(StoreError::Cancelled); // dropping `tx` rolls back
                    }
                }
                if added == 0 {
                    // Nothing new: the ledger keeps no trace of this import.
                    tx.execute("DELETE FROM sources WHERE id = ?1", [source_id])?;
                } else {
                    tx.execute("UPDATE sources SET rows_added = ?1 WHERE id = ?2", params![added as i64, source_id])?;
                }
                let rows = file.rows.len() as u64;
                summaries.push(ImportSummary {
                    file: file.path.clone(),
                    format: file.format.to_string(),
                    rows,
                    added,
                    already_present: rows - added,
                    needs_price,
                    left_out: file.left_out,
                });
            }
        }
        if !progress(done, total) {
            return Err(StoreError::Cancelled);
        }
        tx.commit()?;
        Ok(summaries)
    }
}
