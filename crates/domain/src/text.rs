//! Small text helpers shared by the domain: folding for case- and space-insensitive lookups.

/// Lower-cases, trims and collapses inner white space, so `" Arab  SAUDI "` = `"arab saudi"`.
pub fn fold(input: &str) -> String {
    input.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// Whether `fold(input) == folded`, without building the folded string (it runs for every
/// member of a contact group while screening).
pub fn folds_to(folded: &str, input: &str) -> bool {
    let mut expected = folded.chars();
    for (i, word) in input.split_whitespace().enumerate() {
        if i > 0 && expected.next() != Some(' ') {
            return false;
        }
        // `str::to_lowercase` treats a word-final capital sigma apart from `char`'s.
        if word.contains('\u{3a3}') {
            if !word.to_lowercase().chars().all(|c| expected.next() == Some(c)) {
                return false;
            }
        } else if !word.chars().flat_map(char::to_lowercase).all(|c| expected.next() == Some(c)) {
            return false;
        }
    }
    expected.next().is_none()
}

/// `None` for an empty or all-space cell, otherwise the trimmed text.
pub fn non_empty(input: &str) -> Option<&str> {
    let t = input.trim();
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn folding_ignores_case_and_spacing() {
        assert_eq!(fold(" Arab  SAUDI "), "arab saudi");
        assert!(folds_to("siti maryam", "SITI  Maryam "));
        assert!(!folds_to("siti maryam", "Siti Mariam"));
        assert!(!folds_to("siti maryam", "Siti"));
        assert!(!folds_to("siti", "Siti Maryam"));
        assert!(folds_to("", "   "));
    }

    proptest! {
        #[test]
        fn folds_to_agrees_with_fold(a in "[ A-Za-zİΣσς\t]{0,12}", b in "[ A-Za-zİΣσς\t]{0,12}") {
            prop_assert!(folds_to(&fold(&a), &a));
            prop_assert_eq!(folds_to(&fold(&a), &b), fold(&a) == fold(&b));
        }
    }
}

/// A cell value made safe for CSV files opened in a spreadsheet (OWASP's CSV injection rule):
/// text starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so the
/// spreadsheet shows it as text instead of running it as a formula. A plain signed number
/// (`+6281234567890`, `-5`) cannot carry a formula and is left as it is, so E.164 phone
/// numbers keep their form. The interchange reader takes the `'` off again
/// ([`csv_unquote`]), so an export imports back unchanged.
pub fn csv_safe(value: &str) -> std::borrow::Cow<'_, str> {
    let Some(first) = value.chars().next() else { return value.into() };
    let risky = matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r');
    let signed_number = matches!(first, '+' | '-')
        && value.len() > 1
        && value[1..].bytes().all(|b| b.is_ascii_digit());
    if risky && !signed_number { format!("'{value}").into() } else { value.into() }
}

/// Undoes [`csv_safe`]: a value that is `'` followed by a formula trigger loses the `'`.
pub fn csv_unquote(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => value,
    }
}

#[cfg(test)]
mod csv_tests {
    use super::{csv_safe, csv_unquote};

    #[test]
    fn formula_triggers_are_quoted_and_unquoted_back() {
        for (raw, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("Siti", "Siti"),
            ("", ""),
            ("+6281234567890", "+6281234567890"),
            ("-5", "-5"),
            ("'quoted", "'quoted"),
        ] {
            assert_eq!(csv_safe(raw), safe, "{raw:?}");
            assert_eq!(csv_unquote(&csv_safe(raw)), raw, "{raw:?} round trip");
        }
    }
}

/// Why a piece of text typed or imported is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("contains a control character (U+{0:04X}); remove it")]
    ControlCharacter(u32),
    #[error("is longer than {0} characters")]
    TooLong(usize),
}

/// Whether `value` fits the register: at most `max_chars` characters and no control character
/// (a NUL breaks PostgreSQL's text, others hide content from a reader). Line breaks and tabs
/// are allowed only when `multiline` (notes and reasons, never names or identifiers).
pub fn check_text(value: &str, max_chars: usize, multiline: bool) -> Result<(), TextProblem> {
    let mut count = 0;
    for ch in value.chars() {
        count += 1;
        let allowed_space = multiline && matches!(ch, '\n' | '\r' | '\t');
        if ch.is_control() && !allowed_space {
            return Err(TextProblem::ControlCharacter(u32::from(ch)));
        }
    }
    if count > max_chars {
        return Err(TextProblem::TooLong(max_chars));
    }
    Ok(())
}

/// Unicode bidirectional controls (embeddings, overrides, isolates and marks): in a name they
/// make "Suryani" display as something else, so names are stored without them.
fn is_bidi_control(ch: char) -> bool {
    matches!(ch, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `value` without bidirectional controls (borrowed when it has none, the usual case).
pub fn strip_bidi_controls(value: &str) -> std::borrow::Cow<'_, str> {
    if value.chars().any(is_bidi_control) {
        value.chars().filter(|c| !is_bidi_control(*c)).collect::<String>().into()
    } else {
        value.into()
    }
}

#[cfg(test)]
mod check_tests {
    use super::{TextProblem, check_text, strip_bidi_controls};

    #[test]
    fn control_characters_and_overlong_text_are_refused() {
        assert_eq!(check_text("Siti\0", 100, false), Err(TextProblem::ControlCharacter(0)));
        assert_eq!(check_text("a\u{7}b", 100, true), Err(TextProblem::ControlCharacter(7)));
        assert_eq!(check_text("a\nb", 100, false), Err(TextProblem::ControlCharacter(10)));
        assert_eq!(check_text("a\nb\tc", 100, true), Ok(()));
        assert_eq!(check_text("ééé", 3, false), Ok(()), "characters, not bytes");
        assert_eq!(check_text("éééé", 3, false), Err(TextProblem::TooLong(3)));
    }

    #[test]
    fn bidi_controls_are_stripped_from_names() {
        assert_eq!(strip_bidi_controls("Sur\u{202E}inay"), "Surinay");
        assert_eq!(strip_bidi_controls("\u{2066}Joko\u{2069}"), "Joko");
        assert!(matches!(strip_bidi_controls("Joko"), std::borrow::Cow::Borrowed(_)));
    }
}
