//! Reading a CSV file row by row with the header's column names, and cells with file/line/field errors.

use std::path::Path;

use offramp_core::money::parse_decimal;
use offramp_core::{Code, Decimal, Timestamp};

use crate::error::quote;
use crate::ImportError;

/// A CSV body positioned after its header row.
pub struct Sheet<'a> {
    pub path: &'a Path,
    /// Lower-cased, trimmed column names.
    pub names: Vec<String>,
    reader: csv::Reader<&'a [u8]>,
    /// The body the reader reads (to check each record's raw text).
    body: &'a [u8],
    /// Whether a quoted field may run over several lines (only the generic CSV's notes may). Otherwise a record
    /// spanning lines is a quote left open, and an error.
    pub(crate) multiline: bool,
    /// Lines before the header (a title block some exchanges put on top).
    line_offset: u64,
    /// Rows read but deliberately not turned into transactions (pending copies, moves between an exchange's
    /// own wallets). Counted so the import summary can say so.
    pub left_out: u64,
    /// When set, [`Sheet::map_rows`] hands rows over in chunks as it reads them (so writing can start before the
    /// whole file is read) instead of collecting them; it returns `false` when the receiver has gone away.
    pub(crate) stream: Option<&'a mut dyn FnMut(Vec<super::ParsedRow>) -> bool>,
}

/// Rows per chunk handed to a stream.
const CHUNK_ROWS: usize = 8192;

impl<'a> Sheet<'a> {
    pub fn new(path: &'a Path, body: &'a [u8], line_offset: u64) -> Result<Sheet<'a>, ImportError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(body);
        let names = header_names(path, &mut reader, line_offset + 1)?;
        Ok(Sheet { path, names, reader, body, multiline: false, line_offset, left_out: 0, stream: None })
    }

    pub fn header_line(&self) -> u64 {
        self.line_offset + 1
    }

    /// The index of a column, if the file has it.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The index of a column the format needs.
    pub fn require(&self, name: &str) -> Result<usize, ImportError> {
        self.col(name)
            .ok_or_else(|| ImportError::at(self.path, self.header_line(), Some(name), "required column is missing"))
    }

    /// For formats where each row is one transaction: reads every row and turns it into a transaction. Returns
    /// the rows (when streaming: only those not yet handed over).
    pub fn map_rows(
        &mut self,
        row: &mut dyn FnMut(&Cells) -> Result<offramp_core::Transaction, ImportError>,
    ) -> Result<Vec<super::ParsedRow>, ImportError> {
        let mut rows = Vec::new();
        let mut record = csv::ByteRecord::new();
        while let Some(line) = self.next_row(&mut record)? {
            let cells = Cells { path: self.path, line, record: &record, names: &self.names };
            rows.push(super::ParsedRow { line, tx: row(&cells)? });
            if rows.len() == CHUNK_ROWS {
                if let Some(stream) = self.stream.as_mut() {
                    if !stream(std::mem::replace(&mut rows, Vec::with_capacity(CHUNK_ROWS))) {
                        return Err(ImportError::file(self.path, "the import was stopped"));
                    }
                }
            }
        }
        Ok(rows)
    }

    /// Reads the next row into `record`; returns its line number, or `None` at the end. A row whose quotes do not
    /// balance (a quote left open, which would swallow the rows after it), or a quoted field running over several
    /// lines where the format has none, is an error naming the line where the quote opened.
    pub fn next_row(&mut self, record: &mut csv::ByteRecord) -> Result<Option<u64>, ImportError> {
        match self.reader.read_byte_record(record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.line_offset + record.position().map(|p| p.line()).unwrap_or(0);
                let start = record.position().map(|p| p.byte() as usize).unwrap_or(0);
                let end = (self.reader.position().byte() as usize).min(self.body.len());
                let raw = self.body.get(start..end).unwrap_or(b"");
                let quotes = raw.iter().filter(|&&b| b == b'"').count();
                if quotes % 2 == 1 {
                    return Err(ImportError::at(
                        self.path,
                        line,
                        None,
                        "a quote opened on this line is never closed (it would swallow the rows after it)",
                    ));
                }
                let inner_newline = raw.strip_suffix(b"\n").unwrap_or(raw).contains(&b'\n');
                if inner_newline && !self.multiline {
                    return Err(ImportError::at(
                        self.path,
                        line,
                        None,
                        "a quoted field opened on this line runs over the next lines (a closing quote is missing)",
                    ));
                }
                Ok(Some(line))
            }
            Err(e) => {
                let line = self.line_offset + e.position().map(|p| p.line()).unwrap_or(0);
                let msg = match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        format!("expected {expected_len} fields, found {len} (a truncated or malformed row)")
                    }
                    _ => format!("cannot read the row: {e}"),
                };
                Err(ImportError::at(self.path, line, None, msg))
            }
        }
    }
}

/// Reads a header row's names, lower-cased and trimmed.
pub fn header_names(path: &Path, reader: &mut csv::Reader<&[u8]>, line: u64) -> Result<Vec<String>, ImportError> {
    let header = reader
        .byte_headers()
        .map_err(|e| ImportError::at(path, line, None, format!("cannot read the header row: {e}")))?;
    header
        .iter()
        .enumerate()
        .map(|(i, b)| {
            std::str::from_utf8(b).map(|s| s.trim().to_ascii_lowercase()).map_err(|_| {
                ImportError::at(path, line, None, format!("column {} of the header is not valid UTF-8", i + 1))
            })
        })
        .collect()
}

/// Whether a header (its names, trimmed and lowercased) has every one of `cols`: how a format's variant is told.
pub fn has(names: &[String], cols: &[&str]) -> bool {
    cols.iter().all(|c| names.iter().any(|n| n == c))
}

/// One row's cells, for reading typed values with precise errors.
pub struct Cells<'a> {
    pub path: &'a Path,
    pub line: u64,
    pub record: &'a csv::ByteRecord,
    pub names: &'a [String],
}

impl Cells<'_> {
    pub fn err(&self, field: &str, message: impl Into<String>) -> ImportError {
        ImportError::at(self.path, self.line, Some(field), message)
    }

    /// The trimmed text of column `idx` (`""` when `None`: the column is absent from this variant).
    pub fn text(&self, idx: Option<usize>) -> Result<&str, ImportError> {
        let Some(i) = idx else { return Ok("") };
        let bytes = self.record.get(i).unwrap_or(b"");
        std::str::from_utf8(bytes)
            .map(str::trim)
            .map_err(|_| self.err(&self.names[i], "not valid UTF-8 text (save the file as UTF-8)"))
    }

    fn name(&self, idx: Option<usize>) -> &str {
        idx.map(|i| self.names[i].as_str()).unwrap_or("?")
    }

    /// A plain decimal; `None` when the cell is empty.
    pub fn decimal(&self, idx: Option<usize>) -> Result<Option<Decimal>, ImportError> {
        let t = self.text(idx)?;
        if t.is_empty() {
            return Ok(None);
        }
        parse_decimal(t).map(Some).map_err(|e| self.err(self.name(idx), e.to_string()))
    }

    /// A money cell as exchanges write it: an optional sign, an optional currency symbol (`$ € £ ¥`), and
    /// thousands separators only in their proper places (`$1,234.56`, `-€5.00`). `None` when empty.
    pub fn money(&self, idx: Option<usize>) -> Result<Option<Decimal>, ImportError> {
        let t = self.text(idx)?;
        if t.is_empty() {
            return Ok(None);
        }
        self.money_text(self.name(idx), t).map(Some)
    }

    /// Reads money text as [`Cells::money`] does, for a cell the caller has already taken apart.
    pub fn money_text(&self, field: &str, t: &str) -> Result<Decimal, ImportError> {
        let (negative, rest) = match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t),
        };
        let rest = rest.trim_start_matches(['$', '€', '£', '¥']).trim_start();
        let cleaned = strip_thousands(rest)
            .ok_or_else(|| self.err(field, format!("{} is not a number (misplaced thousands separator)", quote(t))))?;
        let v = parse_decimal(&cleaned).map_err(|e| self.err(field, e.to_string()))?;
        Ok(if negative { -v } else { v })
    }

    pub fn code(&self, idx: Option<usize>) -> Result<Code, ImportError> {
        let t = self.text(idx)?;
        if t.is_empty() {
            return Err(self.err(self.name(idx), "missing: an asset or currency code is needed"));
        }
        Code::parse(t).map_err(|e| self.err(self.name(idx), e.to_string()))
    }

    /// A timestamp in one of `formats` (chrono syntax, read as UTC), or RFC 3339 with a zone.
    pub fn timestamp(&self, idx: Option<usize>, utc_formats: &[&str]) -> Result<Timestamp, ImportError> {
        let t = self.text(idx)?;
        if let Ok(ts) = Timestamp::parse_rfc3339(t) {
            return Ok(ts);
        }
        for f in utc_formats {
            if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(t, f) {
                return Timestamp::from_utc(&dt, t).map_err(|e| self.err(self.name(idx), e.to_string()));
            }
        }
        Timestamp::parse_rfc3339(t).map_err(|e| self.err(self.name(idx), e.to_string()))
    }
}

/// `1,234,567.89` → `1234567.89`; text without commas is returned as is; misplaced commas give `None`.
fn strip_thousands(t: &str) -> Option<String> {
    if !t.contains(',') {
        return Some(t.to_string());
    }
    let (int, frac) = t.split_once('.').map(|(i, f)| (i, Some(f))).unwrap_or((t, None));
    let groups: Vec<&str> = int.split(',').collect();
    let ok = !groups[0].is_empty()
        && groups[0].len() <= 3
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return None;
    }
    let mut s = groups.concat();
    if let Some(f) = frac {
        s.push('.');
        s.push_str(f);
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::strip_thousands;

    #[test]
    fn thousands_separators_only_in_place() {
        assert_eq!(strip_thousands("1,234,567.89").as_deref(), Some("1234567.89"));
        assert_eq!(strip_thousands("999").as_deref(), Some("999"));
        assert_eq!(strip_thousands("1,23"), None);
        assert_eq!(strip_thousands("1234,567"), None);
        assert_eq!(strip_thousands(",123"), None);
    }
}
