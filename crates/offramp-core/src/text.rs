//! Quoting user-supplied text in error messages, and keeping it harmless in what Offramp writes.

use std::borrow::Cow;

/// The most characters of user text an error message repeats.
pub const CLIP_CHARS: usize = 60;

/// Shortens text quoted in an error so that a 10 MB field never ends up in a message:
/// up to [`CLIP_CHARS`] characters, then `…(N characters)`.
pub fn clip(text: &str) -> String {
    let mut chars = text.char_indices();
    match chars.nth(CLIP_CHARS) {
        None => text.to_string(),
        Some((cut, _)) => format!("{}…({} characters)", &text[..cut], text.chars().count()),
    }
}

/// The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV injection").
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn starts_formula(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_START)
}

/// A text cell for a CSV file that people open in spreadsheets: a cell that would start a formula (after any
/// leading apostrophes) gets one more `'` in front, which spreadsheets show as text. Undone exactly by
/// [`from_spreadsheet_safe`], so Offramp reads back what it wrote. Only for text: numbers are written as they are.
pub fn spreadsheet_safe(text: &str) -> Cow<'_, str> {
    if starts_formula(text) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Reads a text cell written by [`spreadsheet_safe`]: one leading `'` before a formula start is taken off.
pub fn from_spreadsheet_safe(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if starts_formula(rest) => rest,
        _ => text,
    }
}

/// Replaces control characters (escape sequences included) in text that may have come from outside (an
/// exchange's error message, a file name) with `?` before it is shown on a terminal or in a window.
pub fn printable(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_read_back_exactly() {
        for (raw, written) in [
            ("=SUM(A1)", "'=SUM(A1)"),
            ("+1", "'+1"),
            ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
            ("@x", "'@x"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("plain note", "plain note"),
            ("'quoted", "'quoted"),
            ("", ""),
        ] {
            assert_eq!(spreadsheet_safe(raw), written);
            assert_eq!(from_spreadsheet_safe(written), raw);
        }
        assert_eq!(printable("bad\u{1b}[31mred\n"), "bad?[31mred?");
    }

    #[test]
    fn clips_long_text_only() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(100);
        let c = clip(&long);
        assert!(c.starts_with(&"é".repeat(60)) && c.ends_with("…(100 characters)"), "{c}");
    }
}
