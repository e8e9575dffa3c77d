//! Importers: a file is recognised by its header row, parsed completely (any bad row stops everything, naming
//! file, line and field), and only then written to the ledger in one transaction.

mod binance;
mod bitstamp;
mod coinbase;
mod gemini;
mod generic;
mod kraken;
mod kraken_trades;
mod raw_insert;
pub(crate) mod sheet;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use offramp_core::money::parse_decimal;
use offramp_core::{Amount, Code, Decimal, Timestamp, Transaction, TxKind};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// Sales recorded by hand in Offramp's sale wizard that this file's own sales replaced (see
    /// [`supersede_recorded`]).
    pub replaced_recorded: u64,
}

/// The external id of a tranche recorded in Offramp's sale wizard starts with this.
pub const RECORDED_PREFIX: &str = "offramp-tranche:";

/// A sale recorded by hand in the sale wizard stands for the venue's own record of it until that is imported:
/// when a file of the venue's (its own format, not the generic one) adds sales of the same asset whose
/// quantities, on the recorded day or the day either side, add up to exactly the recorded quantity (one fill, or
/// several), the recorded row is removed, in the same transaction, so the sale is not counted twice. Returns how
/// many were replaced.
fn supersede_recorded(tx: &rusqlite::Transaction, source_id: i64, venue: &str) -> Result<u64, StoreError> {
    const DAY_US: i64 = 86_400_000_000;
    let mut recorded = tx.prepare(
        "SELECT t.id, t.ts_us, t.sent_amount, t.sent_asset FROM transactions t JOIN accounts a ON a.id = t.account_id
         WHERE a.venue = ?1 AND t.kind = 'sell' AND t.source_id <> ?2 AND t.external_id LIKE 'offramp-tranche:%'
           AND t.sent_amount IS NOT NULL AND t.retired = 0
           AND NOT EXISTS (SELECT 1 FROM edits e WHERE e.target_tx = t.id OR e.replacement_tx = t.id)",
    )?;
    let rows: Vec<(i64, i64, String, String)> = recorded
        .query_map(params![venue, source_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut added = tx.prepare(
        "SELECT t.sent_amount FROM transactions t JOIN accounts a ON a.id = t.account_id
         WHERE t.source_id = ?1 AND a.venue = ?2 AND t.kind = 'sell' AND t.sent_asset = ?3
           AND t.ts_us >= ?4 AND t.ts_us < ?5",
    )?;
    let mut replaced = 0;
    for (id, ts, qty, asset) in rows {
        let Ok(qty) = parse_decimal(&qty) else { continue };
        let day = ts.div_euclid(DAY_US) * DAY_US;
        let amounts: Vec<String> = added
            .query_map(params![source_id, venue, asset, day - DAY_US, day + 2 * DAY_US], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let sum: Option<Decimal> = amounts.iter().map(|a| parse_decimal(a).ok()).sum();
        let single = amounts.iter().any(|a| parse_decimal(a).ok() == Some(qty));
        if single || sum == Some(qty) {
            replaced += tx.execute("DELETE FROM transactions WHERE id = ?1", [id])? as u64;
        }
    }
    Ok(replaced)
}

/// Reads and parses a file, recognising its format by the header. Changes nothing anywhere.
pub fn parse_file(path: &Path) -> Result<ParsedFile, ImportError> {
    parse_bytes(path, &read(path)?)
}

/// The largest file an import reads (an exchange's history of millions of rows is a fraction of it).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// The longest line a file may have (a CSV row is far shorter; longer means it is not an export).
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// Reads a file to import: a regular file only (not a device such as `/dev/zero`, a pipe or a folder), at most
/// [`MAX_FILE_BYTES`] (checked before and while reading, so a file that grows cannot exhaust memory), with no line
/// longer than [`MAX_LINE_BYTES`].
fn read(path: &Path) -> Result<Vec<u8>, ImportError> {
    use std::io::Read;
    let cannot = |e: std::io::Error| ImportError::file(path, format!("cannot read the file: {e}"));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(ImportError::file(
            path,
            "not a regular file (a folder, a device or a pipe): save the exchange's export as a file and import that",
        ));
    }
    let too_big = || {
        ImportError::file(
            path,
            format!("the file is larger than {} MiB, the most one import reads: split it", MAX_FILE_BYTES >> 20),
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    std::fs::File::open(path).map_err(cannot)?.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

fn check_line_lengths(path: &Path, bytes: &[u8]) -> Result<(), ImportError> {
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.len() > MAX_LINE_BYTES {
            return Err(ImportError::at(
                path,
                i as u64 + 1,
                None,
                format!("the line is longer than {} MiB: this is not an exchange's CSV export", MAX_LINE_BYTES >> 20),
            ));
        }
    }
    Ok(())
}

/// Parses file contents (`path` only names the file in errors and in the summary).
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<ParsedFile, ImportError> {
    let opened = Opened::new(path, bytes)?;
    let (rows, left_out) = opened.rows(path, None)?;
    Ok(ParsedFile {
        path: path.to_path_buf(),
        sha256: Sha256::digest(bytes).into(),
        format: opened.format.id,
        venue: opened.format.venue,
        rows,
        left_out,
    })
}

/// A file whose encoding has been checked and whose header has been recognised.
struct Opened<'b> {
    format: &'static Format,
    /// The body from the header row on, BOM removed and line ends normalised.
    body: std::borrow::Cow<'b, [u8]>,
    skipped_lines: u64,
}

impl<'b> Opened<'b> {
    fn new(path: &Path, bytes: &'b [u8]) -> Result<Opened<'b>, ImportError> {
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            return Err(ImportError::file(
                path,
                "the file is UTF-16 encoded; save it as UTF-8 (CSV UTF-8) and import again",
            ));
        }
        check_line_lengths(path, bytes)?;
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        // Windows line ends: the csv reader would count a record that follows "\r\n" as on the previous line, so
        // the line numbers in errors would be one off. Normalise to "\n" first (inside quoted notes too, harmlessly).
        let body: std::borrow::Cow<[u8]> = if body.windows(2).any(|w| w == b"\r\n") {
            std::borrow::Cow::Owned(crlf_to_lf(body))
        } else {
            std::borrow::Cow::Borrowed(body)
        };
        if body.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(ImportError::file(path, "the file is empty"));
        }
        let (format, offset, skipped_lines) = detect(path, &body)?;
        let body = match body {
            std::borrow::Cow::Borrowed(b) => std::borrow::Cow::Borrowed(&b[offset..]),
            std::borrow::Cow::Owned(mut v) => {
                v.drain(..offset);
                std::borrow::Cow::Owned(v)
            }
        };
        Ok(Opened { format, body, skipped_lines })
    }

    /// Reads the rows; with a `stream`, rows are handed to it in chunks as they are read and only the rest is
    /// returned. Also returns the count of rows deliberately left out.
    fn rows<'s>(
        &'s self,
        path: &'s Path,
        stream: Option<&'s mut (dyn FnMut(Vec<ParsedRow>) -> bool + 's)>,
    ) -> Result<(Vec<ParsedRow>, u64), ImportError> {
        let mut sheet = Sheet::new(path, &self.body, self.skipped_lines)?;
        sheet.stream = stream;
        // Only the generic CSV has a field that may hold line breaks (the note, as Offramp's own export writes it).
        sheet.multiline = self.format.id == GENERIC_FORMAT;
        let rows = (self.format.parse)(&mut sheet)?;
        Ok((rows, sheet.left_out))
    }
}

/// An importer variant: how to recognise its header, and how to read its rows.
struct Format {
    id: &'static str,
    venue: &'static str,
    /// The exchange's id on a row names the event in every export of the venue (Kraken: a trade's `refid` in the
    /// ledgers export is its `txid` in the trades export). A row whose id is already in the ledger, in an account of
    /// the venue, is then not added again, even when the other export describes it differently (a fee in another
    /// asset, another rounding).
    trade_ids: bool,
    recognises: fn(&[String]) -> bool,
    parse: fn(&mut Sheet) -> Result<Vec<ParsedRow>, ImportError>,
}

/// Every known variant, most specific first (a table: one line each).
#[rustfmt::skip]
const FORMATS: &[Format] = &[
    Format { id: GENERIC_FORMAT, venue: "other", trade_ids: false, recognises: generic::recognises, parse: generic::parse },
    Format { id: "coinbase-v4", venue: "coinbase", trade_ids: false, recognises: coinbase::is_v4, parse: coinbase::parse },
    Format { id: "coinbase-v3", venue: "coinbase", trade_ids: false, recognises: coinbase::is_v3, parse: coinbase::parse },
    Format { id: "coinbase-v2", venue: "coinbase", trade_ids: false, recognises: coinbase::is_v2, parse: coinbase::parse },
    Format { id: "coinbase-v1", venue: "coinbase", trade_ids: false, recognises: coinbase::is_v1, parse: coinbase::parse },
    Format { id: "kraken-ledgers-v3", venue: "kraken", trade_ids: true, recognises: kraken::is_v3, parse: kraken::parse },
    Format { id: "kraken-ledgers-v2", venue: "kraken", trade_ids: true, recognises: kraken::is_v2, parse: kraken::parse },
    Format { id: "kraken-ledgers-v1", venue: "kraken", trade_ids: true, recognises: kraken::is_v1, parse: kraken::parse },
    Format { id: "kraken-trades-v2", venue: "kraken", trade_ids: true, recognises: kraken_trades::is_v2, parse: kraken_trades::parse },
    Format { id: "kraken-trades-v1", venue: "kraken", trade_ids: true, recognises: kraken_trades::is_v1, parse: kraken_trades::parse },
    Format { id: "binance-statement-v2", venue: "binance", trade_ids: false, recognises: binance::is_v2, parse: binance::parse },
    Format { id: "binance-statement-v1", venue: "binance", trade_ids: false, recognises: binance::is_v1, parse: binance::parse },
    Format { id: "bitstamp-v2", venue: "bitstamp", trade_ids: false, recognises: bitstamp::is_v2, parse: bitstamp::parse },
    Format { id: "bitstamp-v1", venue: "bitstamp", trade_ids: false, recognises: bitstamp::is_v1, parse: bitstamp::parse },
    Format { id: "gemini-v1", venue: "gemini", trade_ids: false, recognises: gemini::is_v1, parse: gemini::parse },
];

/// How many lines from the top are searched for a header (some exports start with a title block).
const HEADER_SEARCH_LINES: usize = 20;

/// Finds the header row: returns the format, the byte offset of the header line and the lines before it.
fn detect(path: &Path, body: &[u8]) -> Result<(&'static Format, usize, u64), ImportError> {
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
///
/// The first 16 bytes of SHA-256 over the fields as text, each followed by a zero byte: the account, the kind, the
/// time in microseconds, each amount's normalised decimal and code (or `-`; `amounts` are sent, received, fee and
/// fiat value, their decimals already normalised), the exchange's id (or `-`), the occurrence. Ledgers keep these
/// bytes, so this must never change (a changed fingerprint would let a file already imported in again).
fn fingerprint(tx: &Transaction, amounts: &[Option<(&str, Code)>; 4], occurrence: u32) -> [u8; 16] {
    use std::fmt::Write;
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update(s.as_bytes());
        h.update([0u8]);
    };
    // Integers are written into a small buffer on the stack (no allocation per field).
    let mut buf = StackText::default();
    let mut number = |field: &mut dyn FnMut(&str), n: i64| {
        buf.clear();
        write!(buf, "{n}").expect("an integer fits in the buffer");
        field(buf.as_str());
    };
    field(&tx.account);
    field(tx.kind.as_str());
    number(&mut field, tx.timestamp.unix_micros());
    for a in amounts {
        match a {
            Some((text, code)) => {
                field(text);
                field(code.as_str());
            }
            None => field("-"),
        }
    }
    field(tx.external_id.as_deref().unwrap_or("-"));
    number(&mut field, i64::from(occurrence));
    let digest = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

/// A decimal's normalised text (what `Decimal::normalize` then `to_string` gives) from its text as displayed:
/// trailing zeros of the fraction dropped, then a bare point, and negative zero written as zero.
fn normalised(displayed: &str) -> &str {
    let text = match displayed.contains('.') {
        true => displayed.trim_end_matches('0').trim_end_matches('.'),
        false => displayed,
    };
    if text == "-0" {
        "0"
    } else {
        text
    }
}

/// Text written on the stack: room for any integer.
struct StackText {
    bytes: [u8; 64],
    len: usize,
}

impl Default for StackText {
    fn default() -> StackText {
        StackText { bytes: [0; 64], len: 0 }
    }
}

impl StackText {
    fn clear(&mut self) {
        self.len = 0;
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).expect("only whole strs are written")
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Where a row's text is in its chunk's buffer (byte range).
#[derive(Clone, Copy)]
struct Span(usize, usize);

/// Appends `s` to a chunk's buffer and says where it is.
fn put(text: &mut String, s: &dyn std::fmt::Display) -> Span {
    use std::fmt::Write;
    let start = text.len();
    write!(text, "{s}").expect("writing to a String does not fail");
    Span(start, text.len())
}

/// A row as the writer binds it: fingerprinted and with its decimals as text, so that this work can be done on
/// the parsing thread while the writing thread only talks to SQLite. Its texts are in its chunk's buffer.
pub(crate) struct RowToWrite {
    line: u64,
    account: Span,
    ts_us: i64,
    kind: TxKind,
    /// sent, received, fee, fiat value: the decimal as text (exactly as parsed) and its code.
    amounts: [Option<(Span, Code)>; 4],
    external_id: Option<Span>,
    note: Span,
    fingerprint: [u8; 16],
    needs_price: bool,
}

/// Rows ready to write, their texts in one buffer (one allocation per chunk, not several per row).
pub(crate) struct Chunk {
    text: String,
    rows: Vec<RowToWrite>,
}

impl Chunk {
    fn text(&self, span: Span) -> &str {
        &self.text[span.0..span.1]
    }

    fn value(&self, a: &Option<(Span, Code)>) -> Option<&str> {
        a.as_ref().map(|(v, _)| self.text(*v))
    }
}

fn code_of(a: &Option<(Span, Code)>) -> Option<&str> {
    a.as_ref().map(|(_, c)| c.as_str())
}

/// What the writer receives, file after file: a head, chunks of rows, the end.
pub(crate) enum Piece {
    Head {
        path: PathBuf,
        format: &'static str,
        venue: &'static str,
        trade_ids: bool,
    },
    Rows(Chunk),
    /// The file's SHA-256 comes last: hashing a large file does not hold up its first rows.
    End {
        left_out: u64,
        sha256: [u8; 32],
    },
}

/// Turns one file's rows into rows to write. Identical rows within a file are told apart by their occurrence
/// number, so a file with two genuinely identical rows keeps both, and re-importing it adds neither.
#[derive(Default)]
struct Preparer {
    seen: offramp_core::fasthash::FastMap<[u8; 16], u32>,
}

impl Preparer {
    fn prepare(&mut self, row: ParsedRow, text: &mut String) -> RowToWrite {
        let t = row.tx;
        // Each decimal is written once, as stored (exactly as parsed); its normalised form for the fingerprint is
        // read off that text.
        let mut amount = |a: Option<Amount>| a.map(|a| (put(text, &a.value()), a.code()));
        let amounts = [amount(t.sent), amount(t.received), amount(t.fee), amount(t.fiat_value)];
        let norm = amounts.map(|a| a.map(|(span, code)| (normalised(&text[span.0..span.1]), code)));
        let base = fingerprint(&t, &norm, 0);
        let n = self.seen.entry(base).or_insert(0);
        let fp = if *n == 0 { base } else { fingerprint(&t, &norm, *n) };
        *n += 1;
        RowToWrite {
            line: row.line,
            ts_us: t.timestamp.unix_micros(),
            kind: t.kind,
            amounts,
            account: put(text, &t.account),
            external_id: t.external_id.as_ref().map(|e| put(text, e)),
            note: put(text, &t.note),
            fingerprint: fp,
            needs_price: t.needs_price(),
        }
    }

    fn prepare_all(&mut self, rows: Vec<ParsedRow>) -> Chunk {
        let mut text = String::with_capacity(rows.len() * 64);
        let rows = rows.into_iter().map(|r| self.prepare(r, &mut text)).collect();
        Chunk { text, rows }
    }
}

/// The ids of the accounts rows name, found or created (with the file's venue) as they first appear.
struct Accounts<'t> {
    ids: offramp_core::fasthash::FastMap<String, i64>,
    find: rusqlite::Statement<'t>,
    add: rusqlite::Statement<'t>,
}

impl Accounts<'_> {
    fn id(&mut self, name: &str, venue: &str) -> Result<i64, StoreError> {
        if let Some(id) = self.ids.get(name) {
            return Ok(*id);
        }
        let id = match self.find.query_row([name], |r| r.get(0)).optional()? {
            Some(id) => id,
            None => self.add.insert(params![name, venue])?,
        };
        self.ids.insert(name.to_string(), id);
        Ok(id)
    }
}

/// From this many rows an import is written without the per-row foreign-key check (see [`Ledger::write`]).
const BULK_ROWS: u64 = 10_000;

/// How often the progress callback is called (rows).
const PROGRESS_EVERY: u64 = 4096;

/// Chunks in flight between the parsing and the writing thread (bounds memory: 8 × 8192 rows).
const CHANNEL_CHUNKS: usize = 8;

/// Parses one file's bytes and hands it to `send` piece by piece: head, chunks of prepared rows, end. Returns
/// `false` as soon as `send` does (the receiver has stopped).
fn stream_file(path: &Path, bytes: &[u8], send: &mut dyn FnMut(Result<Piece, ImportError>) -> bool) -> bool {
    let opened = match Opened::new(path, bytes) {
        Ok(o) => o,
        Err(e) => return send(Err(e)),
    };
    let head = Piece::Head {
        path: path.to_path_buf(),
        format: opened.format.id,
        venue: opened.format.venue,
        trade_ids: opened.format.trade_ids,
    };
    if !send(Ok(head)) {
        return false;
    }
    let mut preparer = Preparer::default();
    let mut chunk = |rows: Vec<ParsedRow>| send_rows(&mut preparer, rows, send);
    match opened.rows(path, Some(&mut chunk)) {
        Ok((rest, left_out)) => {
            send_rows(&mut preparer, rest, send)
                && send(Ok(Piece::End { left_out, sha256: Sha256::digest(bytes).into() }))
        }
        Err(e) => send(Err(e)),
    }
}

fn send_rows(
    preparer: &mut Preparer,
    rows: Vec<ParsedRow>,
    send: &mut dyn FnMut(Result<Piece, ImportError>) -> bool,
) -> bool {
    rows.is_empty() || send(Ok(Piece::Rows(preparer.prepare_all(rows))))
}

/// Rows a file probably holds (its line count), for a progress bar before the file has been read.
fn estimated_rows(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

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
        let mut pieces = files.iter().flat_map(|f| {
            let mut preparer = Preparer::default();
            let rows = preparer.prepare_all(f.rows.clone());
            [
                Ok(Piece::Head {
                    path: f.path.clone(),
                    format: f.format,
                    venue: f.venue,
                    trade_ids: FORMATS.iter().any(|x| x.id == f.format && x.trade_ids),
                }),
                Ok(Piece::Rows(rows)),
                Ok(Piece::End { left_out: f.left_out, sha256: f.sha256 }),
            ]
        });
        self.write(&mut pieces, total, now, progress)
    }

    /// Reads, parses and writes files in one transaction, all or nothing, as [`Ledger::import`] does; the files
    /// are parsed on a second thread while rows are written, so a large import takes about as long as writing
    /// alone. Any bad row (named by file, line and field) rolls everything back. `progress`'s total is the
    /// files' line count until they have been read.
    pub fn import_files(
        &mut self,
        paths: &[PathBuf],
        now: Timestamp,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<Vec<ImportSummary>, StoreError> {
        let contents = paths.iter().map(|p| read(p)).collect::<Result<Vec<_>, _>>()?;
        let total = contents.iter().map(|b| estimated_rows(b)).sum();
        std::thread::scope(|scope| {
            let (sender, receiver) = std::sync::mpsc::sync_channel(CHANNEL_CHUNKS);
            let contents = &contents;
            scope.spawn(move || {
                let mut send = |piece| sender.send(piece).is_ok();
                for (path, bytes) in paths.iter().zip(contents) {
                    if !stream_file(path, bytes, &mut send) {
                        return;
                    }
                }
            });
            // When `write` returns early (a bad row, a cancel), dropping the receiver stops the parsing thread.
            self.write(&mut receiver.into_iter(), total, now, progress)
        })
    }

    fn write(
        &mut self,
        pieces: &mut dyn Iterator<Item = Result<Piece, ImportError>>,
        total: u64,
        now: Timestamp,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<Vec<ImportSummary>, StoreError> {
        // The ledger stays in WAL mode throughout. (An earlier version switched a large import to a rollback
        // journal for speed; that switch, made while another connection wrote in WAL mode, lost that
        // connection's committed rows: tests/concurrency.rs.) The import itself takes every row's account and
        // source id from rows it found or inserted in the same transaction, so checking the foreign keys row by
        // row only re-reads what it just wrote: a bulk import leaves that check out on this connection (foreign
        // keys stay enforced for every other write, and for every other connection).
        let bulk = total >= BULK_ROWS;
        if bulk {
            self.conn.execute_batch("PRAGMA foreign_keys = OFF")?;
        }
        let result = self.write_in_transaction(pieces, total, now, progress);
        if bulk {
            self.conn.execute_batch("PRAGMA foreign_keys = ON")?;
        }
        result
    }

    fn write_in_transaction(
        &mut self,
        pieces: &mut dyn Iterator<Item = Result<Piece, ImportError>>,
        total: u64,
        now: Timestamp,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<Vec<ImportSummary>, StoreError> {
        let mut done = 0u64;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut summaries = Vec::new();
        {
            let mut accounts = Accounts {
                ids: Default::default(),
                find: tx.prepare("SELECT id FROM accounts WHERE name = ?1")?,
                add: tx.prepare("INSERT INTO accounts (name, venue) VALUES (?1, ?2)")?,
            };
            let mut add_source = tx.prepare(
                "INSERT INTO sources (file_name, file_sha256, format, imported_at_us, rows_read, rows_added)
                 VALUES (?1, ?2, ?3, ?4, 0, 0)",
            )?;
            let mut insert = raw_insert::RawInsert::new(
                &tx,
                "INSERT INTO transactions (account_id, ts_us, kind, sent_amount, sent_asset, received_amount,
                    received_asset, fee_amount, fee_asset, value_amount, value_currency, external_id, note,
                    source_id, source_line, fingerprint)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
                 ON CONFLICT (account_id, ts_us, fingerprint) DO NOTHING",
            )?;
            let mut ids_of_venue = tx.prepare(
                "SELECT t.external_id FROM transactions t JOIN accounts a ON a.id = t.account_id
                 WHERE a.venue = ?1 AND t.external_id IS NOT NULL",
            )?;
            // The file being written: its source row, venue and counts, and (see `Format::trade_ids`) the exchange
            // ids its venue's rows already have in the ledger, read at the file's head.
            let mut current: Option<(ImportSummary, i64, &'static str, Option<HashSet<String>>)> = None;
            for piece in pieces {
                match piece? {
                    Piece::Head { path, format, venue, trade_ids } => {
                        let known = match trade_ids {
                            true => Some(ids_of_venue.query_map([venue], |r| r.get(0))?.collect::<Result<_, _>>()?),
                            false => None,
                        };
                        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                        // The file's hash is filled in at its end.
                        add_source.execute(params![name, &[0u8; 32][..], format, now.unix_micros()])?;
                        let summary = ImportSummary {
                            file: path,
                            format: format.to_string(),
                            rows: 0,
                            added: 0,
                            already_present: 0,
                            needs_price: 0,
                            left_out: 0,
                            replaced_recorded: 0,
                        };
                        current = Some((summary, tx.last_insert_rowid(), venue, known));
                    }
                    Piece::Rows(chunk) => {
                        let Some((summary, source_id, venue, known)) = current.as_mut() else {
                            return Err(StoreError::Invalid("rows arrived before their file".into()));
                        };
                        for row in &chunk.rows {
                            let account_id = accounts.id(chunk.text(row.account), venue)?;
                            let [sent, received, fee, value] = &row.amounts;
                            use raw_insert::Param::{Blob, Int, Text};
                            let external_id = row.external_id.map(|e| chunk.text(e));
                            let known_event = known.as_ref().zip(external_id).is_some_and(|(ids, id)| ids.contains(id));
                            let changed = if known_event {
                                0
                            } else {
                                insert.execute(&[
                                    Int(account_id),
                                    Int(row.ts_us),
                                    Text(Some(row.kind.as_str())),
                                    Text(chunk.value(sent)),
                                    Text(code_of(sent)),
                                    Text(chunk.value(received)),
                                    Text(code_of(received)),
                                    Text(chunk.value(fee)),
                                    Text(code_of(fee)),
                                    Text(chunk.value(value)),
                                    Text(code_of(value)),
                                    Text(external_id),
                                    Text(Some(chunk.text(row.note))),
                                    Int(*source_id),
                                    Int(row.line as i64),
                                    Blob(&row.fingerprint[..]),
                                ])?
                            };
                            summary.rows += 1;
                            if changed == 1 {
                                summary.added += 1;
                                summary.needs_price += u64::from(row.needs_price);
                            }
                            done += 1;
                            if done.is_multiple_of(PROGRESS_EVERY) && !progress(done, total.max(done)) {
                                return Err(StoreError::Cancelled); // dropping `tx` rolls back
                            }
                        }
                    }
                    Piece::End { left_out, sha256 } => {
                        let Some((mut summary, source_id, venue, _)) = current.take() else {
                            return Err(StoreError::Invalid("a file ended before it began".into()));
                        };
                        if summary.added > 0 && venue != "other" {
                            summary.replaced_recorded = supersede_recorded(&tx, source_id, venue)?;
                        }
                        if summary.added == 0 {
                            // Nothing new: the ledger keeps no trace of this import.
                            tx.execute("DELETE FROM sources WHERE id = ?1", [source_id])?;
                        } else {
                            tx.execute(
                                "UPDATE sources SET rows_read = ?1, rows_added = ?2, file_sha256 = ?3 WHERE id = ?4",
                                params![summary.rows as i64, summary.added as i64, &sha256[..], source_id],
                            )?;
                        }
                        summary.already_present = summary.rows - summary.added;
                        summary.left_out = left_out;
                        summaries.push(summary);
                    }
                }
            }
            if current.is_some() {
                return Err(StoreError::Invalid("a file's rows stopped before its end".into()));
            }
        }
        if !progress(done, done) {
            return Err(StoreError::Cancelled);
        }
        tx.commit()?;
        Ok(summaries)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Key, Ledger};
    use offramp_core::{Amount, Timestamp, Transaction, TxKind};
    use sha2::{Digest, Sha256};

    /// The fingerprint as first written (text through `to_string`): ledgers hold these bytes.
    fn first_fingerprint(tx: &Transaction, occurrence: u32) -> [u8; 16] {
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
        h.finalize()[..16].try_into().unwrap()
    }

    /// Fingerprints never change: the same bytes as the first version, for every shape of row, including the
    /// longest decimals and negative times; and a known row's exact bytes.
    #[test]
    fn fingerprints_are_the_ones_ledgers_hold() {
        let t = |s: &str| Timestamp::parse_rfc3339(s).unwrap();
        let a = |s: &str| Some(Amount::parse(s).unwrap());
        let base = Transaction {
            timestamp: t("2024-01-05T10:00:00Z"),
            account: "Kraken".into(),
            kind: TxKind::Buy,
            sent: a("1000.00 EUR"),
            received: a("0.02500000 BTC"),
            fee: a("2.60 EUR"),
            fiat_value: None,
            external_id: None,
            note: "first buy".into(),
        };
        let prepared = |tx: &Transaction, times: usize| {
            let mut p = super::Preparer::default();
            let mut text = String::new();
            (0..times)
                .map(|_| p.prepare(super::ParsedRow { line: 2, tx: tx.clone() }, &mut text).fingerprint)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            prepared(&base, 1)[0].iter().map(|b| format!("{b:02x}")).collect::<String>(),
            // sha256("Kraken\0buy\01704448800000000\01000\0EUR\00.025\0BTC\02.6\0EUR\0-\0-\00\0")
            "73100d32e78b9a9d9ffd0217d7fea671"
        );
        let shapes = [
            base.clone(),
            Transaction { external_id: Some("TX-1".into()), note: String::new(), ..base.clone() },
            Transaction {
                timestamp: Timestamp::from_unix_micros(-1_000_001),
                sent: a("-0.0000000000000000000000000001 ETH"),
                received: a("999999999999999999.9999999999 BTC"),
                fee: a("-0.000 BTC"),
                fiat_value: a("100 USD"),
                ..base.clone()
            },
        ];
        for tx in &shapes {
            let expected: Vec<_> = (0..3).map(|n| first_fingerprint(tx, n)).collect();
            assert_eq!(prepared(tx, 3), expected, "{tx:?}");
        }
    }

    /// The normalised text read off a displayed decimal is what `normalize` then `to_string` gives, for decimals of
    /// every scale and sign (random mantissas up to 96 bits, scales 0 to 28, zeros and negative zeros).
    #[test]
    fn normalised_text_is_normalize_then_display() {
        let mut seed: u64 = 1;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            seed >> 11
        };
        for i in 0..20_000u32 {
            let bits = next() % 97;
            let mantissa = match i % 7 {
                0 => 0,
                1 => (next() % 1000) as i128 * 10i128.pow((next() % 10) as u32),
                _ => ((u128::from(next()) << 64 | u128::from(next())) >> (128 - bits.max(1))) as i128,
            };
            let scale = (next() % 29) as u32;
            let mut d = offramp_core::Decimal::from_i128_with_scale(mantissa, scale);
            d.set_sign_negative(next() % 2 == 0);
            let shown = d.to_string();
            assert_eq!(super::normalised(&shown), d.normalize().to_string(), "{shown}");
        }
    }

    fn modes(l: &Ledger) -> (i64, String) {
        let fk: i64 = l.conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        let journal: String = l.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        (fk, journal)
    }

    /// A bulk import runs in WAL mode (never switching journals under another connection) without the per-row
    /// foreign-key check; afterwards, whether it worked or failed, foreign keys are enforced again.
    #[test]
    fn a_bulk_import_puts_the_ledger_back_as_it_was() {
        let tmp = tempfile::tempdir().unwrap();
        let mut l = Ledger::create(&tmp.path().join("l"), &Key::Passphrase("k".into())).unwrap();
        assert_eq!(modes(&l), (1, "wal".to_string()));
        let mut text = String::from("timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n");
        for i in 0..12_000 {
            text.push_str(&format!("2024-01-01T00:00:{:02}.{i:06}Z,buy,A,10,USD,0.001,BTC\n", i % 60));
        }
        let good = tmp.path().join("good.csv");
        std::fs::write(&good, &text).unwrap();
        let s = l
            .import_files(std::slice::from_ref(&good), offramp_core::Timestamp::from_unix_micros(0), &mut |_, _| true)
            .unwrap();
        assert_eq!(s[0].added, 12_000);
        assert_eq!(modes(&l), (1, "wal".to_string()));
        // Every stored row's account and source exist.
        let dangling: i64 = l
            .conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check('transactions')", [], |r| r.get(0))
            .unwrap();
        assert_eq!(dangling, 0);
        text.push_str("2024-02-01T00:00:00Z,buy,A,1e3,USD,0.001,BTC\n");
        let bad = tmp.path().join("bad.csv");
        std::fs::write(&bad, &text).unwrap();
        assert!(l.import_files(&[bad], offramp_core::Timestamp::from_unix_micros(0), &mut |_, _| true).is_err());
        assert_eq!(modes(&l), (1, "wal".to_string()));
        assert_eq!(l.transaction_count().unwrap(), 12_000);
    }
}
