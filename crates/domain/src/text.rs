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
