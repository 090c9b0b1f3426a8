//! Which characters text may hold. NUL is never allowed (PostgreSQL cannot store it in text, and
//! no value has a use for it); other control characters are allowed only as tab and line breaks
//! in multi-line text.

/// The characters a value may not hold: every control character in single-line text; in
/// multi-line text all but tab, line feed and carriage return.
pub fn has_forbidden_chars(value: &str, multi_line: bool) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && !(multi_line && matches!(c, '\t' | '\n' | '\r')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_by_kind_of_text() {
        assert!(!has_forbidden_chars("Ann Lee", false));
        assert!(has_forbidden_chars("Ann\0", false));
        assert!(has_forbidden_chars("Ann\0", true));
        assert!(has_forbidden_chars("a\nb", false));
        assert!(!has_forbidden_chars("a\n\tb\r\n", true));
        assert!(has_forbidden_chars("a\u{1b}[31m", true));
        assert!(has_forbidden_chars("a\u{7f}", true));
    }
}
