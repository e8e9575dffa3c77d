//! Quoting user-supplied text in error messages.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clips_long_text_only() {
        assert_eq!(clip("short"), "short");
        let long = "é".repeat(100);
        let c = clip(&long);
        assert!(c.starts_with(&"é".repeat(60)) && c.ends_with("…(100 characters)"), "{c}");
    }
}
