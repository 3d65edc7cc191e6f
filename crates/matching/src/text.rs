//! Text folding shared by every comparison: Unicode compatibility normalisation (NFKC),
//! transliteration to ASCII, lower case, and punctuation turned into token breaks.

use unicode_normalization::UnicodeNormalization;

/// Folds `raw` to lower-case ASCII tokens of letters and digits separated by single spaces.
///
/// Apostrophes are dropped inside a token ("Ai'nun" becomes "ainun", as on a passport);
/// every other non-alphanumeric character separates tokens.
#[cfg(test)]
pub fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    fold_into(raw, &mut out);
    out
}

/// [`fold`], appended to `out` (which may already hold other text: the folded text starts
/// where `out` ended).
pub fn fold_into(raw: &str, out: &mut String) {
    let start = out.len();
    let mut pending_space = false;
    let mut push = |ch: char, out: &mut String| {
        if ch.is_ascii_alphanumeric() {
            if pending_space && out.len() > start {
                out.push(' ');
            }
            pending_space = false;
            out.push(ch.to_ascii_lowercase());
        } else if !is_apostrophe(ch) {
            pending_space = true;
        }
    };
    if raw.is_ascii() {
        for ch in raw.chars() {
            push(ch, out);
        }
    } else {
        for ch in to_ascii_lower(raw).chars() {
            push(ch, out);
        }
    }
}

/// NFKC, then transliteration to ASCII, then ASCII lower case.
pub fn to_ascii_lower(raw: &str) -> String {
    if raw.is_ascii() {
        // NFKC leaves ASCII unchanged: skip it on the common path.
        return raw.to_ascii_lowercase();
    }
    let composed: String = raw.nfkc().collect();
    let mut ascii = if composed.is_ascii() { composed } else { deunicode::deunicode(&composed) };
    ascii.make_ascii_lowercase();
    ascii
}

/// Apostrophes and their look-alikes, which passports drop without a space.
pub fn is_apostrophe(ch: char) -> bool {
    matches!(ch, '\'' | '`' | '\u{2019}' | '\u{2018}' | '\u{02bc}')
}

/// Keeps only ASCII digits: phone numbers, identifiers, codes.
pub fn digits(raw: &str) -> String {
    raw.chars().filter(char::is_ascii_digit).collect()
}

/// Keeps only ASCII letters and digits, upper case: passport numbers and other codes.
pub fn alphanumeric_upper(raw: &str) -> String {
    to_ascii_lower(raw)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_lowercases_and_breaks_on_punctuation() {
        assert_eq!(fold("  Hj. TUTI   Sriwati, S.E "), "hj tuti sriwati s e");
        assert_eq!(fold("Ai'nun"), "ainun");
        assert_eq!(fold("Élodie Nguyễn"), "elodie nguyen");
        assert_eq!(fold("!!!"), "");
    }

    #[test]
    fn codes_keep_their_characters() {
        assert_eq!(digits("+62 812-3456 789"), "628123456789");
        assert_eq!(alphanumeric_upper(" b 123-4567 "), "B1234567");
    }
}
