//! Parsing of typed values out of free-form cells: dates in the accepted spellings, the
//! decoded parts of a NIK, and phone numbers in national form.

/// A date packed as `yyyymmdd`. Day and month are only range-checked loosely (1-31 each),
/// so a date whose day and month were swapped on entry still parses and can be compared.
pub fn parse_date(raw: &str) -> Option<u32> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return None;
    }
    // Up to four parts on the stack (a fourth means the text is not a date).
    let mut pieces = [""; 4];
    let mut count = 0;
    for piece in trimmed.split(['-', '/', '.', ' ']).filter(|p| !p.is_empty()) {
        if count == pieces.len() {
            return None;
        }
        pieces[count] = piece;
        count += 1;
    }
    let (year, month, day) = match &pieces[..count] {
        [compact] if compact.len() == 8 && compact.bytes().all(|b| b.is_ascii_digit()) => {
            (compact[..4].parse().ok()?, compact[4..6].parse().ok()?, compact[6..].parse().ok()?)
        }
        [y, m, d] if y.len() == 4 => (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        [d, m, y] if y.len() == 4 => (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?),
        _ => return None,
    };
    pack_date(year, month, day)
}

fn pack_date(year: u32, month: u32, day: u32) -> Option<u32> {
    let plausible =
        (1..=9999).contains(&year) && (1..=31).contains(&month) && (1..=31).contains(&day);
    (plausible && (month <= 12 || day <= 12)).then_some(year * 10_000 + month * 100 + day)
}

/// Splits a packed date into (year, month, day).
pub fn unpack_date(packed: u32) -> (u32, u32, u32) {
    (packed / 10_000, packed / 100 % 100, packed % 100)
}

/// Formats a packed date as `YYYY-MM-DD`.
pub fn format_date(packed: u32) -> String {
    let (y, m, d) = unpack_date(packed);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The parts encoded in a 16-digit NIK (`PPKKCC DDMMYY SSSS`, DOMAIN.md §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NikParts<'a> {
    /// Province + kabupaten/kota where the NIK was first registered (4 digits).
    pub regency: &'a str,
    /// Province + kabupaten + kecamatan (6 digits).
    pub district: &'a str,
    /// Day of birth (women's +40 removed), month and two-digit year.
    pub birth: (u8, u8, u8),
    /// Whether the day carries the +40 of a woman.
    pub female: bool,
}

/// Decodes a NIK given as 16 ASCII digits; `None` for anything else.
pub fn decode_nik(digits: &str) -> Option<NikParts<'_>> {
    let bytes = digits.as_bytes();
    if bytes.len() != 16 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = |at: usize| (bytes[at] - b'0') * 10 + (bytes[at + 1] - b'0');
    let raw_day = two(6);
    let (day, female) = if raw_day > 40 { (raw_day - 40, true) } else { (raw_day, false) };
    let month = two(8);
    let year = two(10);
    if !(1..=31).contains(&day) || !(1..=12).contains(&month) {
        return None;
    }
    Some(NikParts {
        regency: &digits[..4],
        district: &digits[..6],
        birth: (day, month, year),
        female,
    })
}

/// Whether the digits of a NIK field are a placeholder rather than a (possibly mistyped) NIK:
/// fewer than ten digits ("-", "0", "belum ada") or one digit repeated ("0000000000000000").
/// Legacy sheets fill the column so; two such values agreeing says nothing about a person.
pub fn is_placeholder_nik(digits: &str) -> bool {
    let bytes = digits.as_bytes();
    bytes.len() < 10 || bytes.iter().all(|b| *b == bytes[0])
}

/// Indonesian phone number as national significant digits: "+62 812-345", "0812345" and
/// "812345" all become "812345". Numbers shorter than six digits are not phone numbers.
pub fn national_phone(raw: &str) -> Option<String> {
    let digits = crate::text::digits(raw);
    let national = if let Some(rest) = digits.strip_prefix("62").filter(|rest| rest.len() >= 8) {
        rest
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest
    } else {
        digits.as_str()
    };
    let national = national.trim_start_matches('0');
    (national.len() >= 6).then(|| national.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_in_every_accepted_spelling() {
        assert_eq!(parse_date("19900307"), Some(19_900_307));
        assert_eq!(parse_date("1990-03-07"), Some(19_900_307));
        assert_eq!(parse_date("07-03-1990"), Some(19_900_307));
        assert_eq!(parse_date("07/03/1990"), Some(19_900_307));
        assert_eq!(parse_date("1990-25-03"), Some(19_902_503), "swapped day and month still parse");
        assert_eq!(parse_date("1990-25-31"), None);
        assert_eq!(parse_date("0"), None);
        assert_eq!(parse_date(""), None);
        assert_eq!(format_date(19_900_307), "1990-03-07");
    }

    #[test]
    fn nik_parts_decode_womens_day() {
        let parts = decode_nik("1801044703900002").unwrap();
        assert_eq!(parts.regency, "1801");
        assert_eq!(parts.district, "180104");
        assert_eq!(parts.birth, (7, 3, 90));
        assert!(parts.female);
        assert!(decode_nik("1801040703900002").is_some_and(|p| !p.female));
        assert_eq!(decode_nik("180104470390000"), None);
        assert_eq!(decode_nik("1801049903900002"), None);
        assert!(is_placeholder_nik(""));
        assert!(is_placeholder_nik("0"));
        assert!(is_placeholder_nik("123456789"));
        assert!(is_placeholder_nik("0000000000000000"));
        assert!(!is_placeholder_nik("180104470390002"));
        assert!(!is_placeholder_nik("1801044703900002"));
    }

    #[test]
    fn phones_reduce_to_national_digits() {
        for raw in ["+62 812-3456-789", "0812 3456 789", "62812 3456789", "8123456789"] {
            assert_eq!(national_phone(raw).as_deref(), Some("8123456789"), "{raw}");
        }
        assert_eq!(national_phone("12"), None);
    }
}
