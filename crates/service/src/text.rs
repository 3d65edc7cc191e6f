//! Free text an officer types (reasons, notes, purposes): checked once here for every use case,
//! so no control character or megabyte of text reaches the register or the audit log.

use jejak_domain::text::check_text;

use crate::{Result, ServiceError};

/// The longest note, reason or purpose accepted.
pub const MAX_NOTE_CHARS: usize = 2000;

/// `value`, trimmed, when it fits the register; else an `Invalid` error naming `field`.
pub fn checked_note<'a>(field: &str, value: &'a str) -> Result<&'a str> {
    let trimmed = value.trim();
    check_text(trimmed, MAX_NOTE_CHARS, true)
        .map_err(|problem| ServiceError::Invalid(format!("{field} {problem}")))?;
    Ok(trimmed)
}

#[cfg(test)]
mod tests {
    use super::checked_note;

    #[test]
    fn notes_name_the_field_when_refused() {
        assert_eq!(checked_note("reason", "  sama orangnya \n").unwrap(), "sama orangnya");
        let err = checked_note("reason", "a\0b").unwrap_err().to_string();
        assert!(err.contains("reason contains a control character"), "{err}");
        let long = "x".repeat(super::MAX_NOTE_CHARS + 1);
        assert!(checked_note("purpose", &long).unwrap_err().to_string().contains("purpose"));
    }
}
