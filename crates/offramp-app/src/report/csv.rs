//! The one place report files are written as CSV (with the `csv` crate: quoting as RFC 4180 needs it). Text
//! cells that a spreadsheet would run as a formula get a leading `'`; numbers (`-12.50`) are written as they are.

use std::borrow::Cow;

use crate::{AppError, ErrorCode};

/// A CSV file being written in memory.
pub struct CsvFile {
    w: ::csv::Writer<Vec<u8>>,
}

fn csv_error(e: ::csv::Error) -> AppError {
    AppError::new(ErrorCode::Internal, format!("cannot write the CSV: {e}"))
}

/// A cell as written: numbers as they are, text made safe for spreadsheets.
fn cell(text: &str) -> Cow<'_, str> {
    if offramp_core::money::parse_decimal(text).is_ok() {
        Cow::Borrowed(text)
    } else {
        offramp_core::text::spreadsheet_safe(text)
    }
}

impl CsvFile {
    pub fn new<S: AsRef<str>>(header: &[S]) -> Result<CsvFile, AppError> {
        let mut f = CsvFile {
            w: ::csv::WriterBuilder::new().terminator(::csv::Terminator::Any(b'\n')).from_writer(Vec::new()),
        };
        f.w.write_record(header.iter().map(|h| h.as_ref())).map_err(csv_error)?;
        Ok(f)
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), AppError> {
        self.w.write_record(cells.iter().map(|c| cell(c.as_ref()).into_owned())).map_err(csv_error)
    }

    pub fn finish(self) -> Result<Vec<u8>, AppError> {
        self.w.into_inner().map_err(|e| AppError::new(ErrorCode::Internal, format!("cannot write the CSV: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_it_and_neutralises_formulas() {
        let mut f = CsvFile::new(&["a", "b", "c"]).unwrap();
        f.row(&["x,y", "say \"hi\"", "-12.50"]).unwrap();
        f.row(&["=HYPERLINK(\"x\")", "@SUM(1)", "2024-01-05"]).unwrap();
        let text = String::from_utf8(f.finish().unwrap()).unwrap();
        assert_eq!(text, "a,b,c\n\"x,y\",\"say \"\"hi\"\"\",-12.50\n\"'=HYPERLINK(\"\"x\"\")\",'@SUM(1),2024-01-05\n");
    }
}
