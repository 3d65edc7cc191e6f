//! Small text helpers shared by the domain: folding for case- and space-insensitive lookups.

/// Lower-cases, trims and collapses inner white space, so `" Arab  SAUDI "` = `"arab saudi"`.
pub fn fold(input: &str) -> String {
    input.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// `None` for an empty or all-space cell, otherwise the trimmed text.
pub fn non_empty(input: &str) -> Option<&str> {
    let t = input.trim();
    (!t.is_empty()).then_some(t)
}
