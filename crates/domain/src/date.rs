//! Calendar dates as the interchange format writes them: `YYYY-MM-DD` on output, and also
//! `DD-MM-YYYY` / `DD/MM/YYYY` on input (how Indonesian offices type them).

use time::{Date, Month};

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    #[error("expected a date as YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY")]
    Format,
    #[error("{day:02}-{month:02}-{year:04} is not a calendar date")]
    NotInCalendar { year: i32, month: u8, day: u8 },
}

/// Parses `YYYY-MM-DD`, `DD-MM-YYYY` or `DD/MM/YYYY` (one-digit day and month allowed).
pub fn parse_date(input: &str) -> Result<Date, DateError> {
    let s = input.trim();
    let parts: Vec<&str> =
        if s.contains('/') { s.split('/').collect() } else { s.split('-').collect() };
    let [a, b, c] = parts.as_slice() else { return Err(DateError::Format) };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !(all_digits(a) && all_digits(b) && all_digits(c)) {
        return Err(DateError::Format);
    }
    let (year, month, day) = if a.len() == 4 && !s.contains('/') {
        (a, b, c)
    } else if c.len() == 4 {
        (c, b, a)
    } else {
        return Err(DateError::Format);
    };
    if month.len() > 2 || day.len() > 2 {
        return Err(DateError::Format);
    }
    let year: i32 = year.parse().map_err(|_| DateError::Format)?;
    let month: u8 = month.parse().map_err(|_| DateError::Format)?;
    let day: u8 = day.parse().map_err(|_| DateError::Format)?;
    ymd(year, month, day).ok_or(DateError::NotInCalendar { year, month, day })
}

/// A date from numbers, `None` if it is not in the calendar.
pub fn ymd(year: i32, month: u8, day: u8) -> Option<Date> {
    let month = Month::try_from(month).ok()?;
    Date::from_calendar_date(year, month, day).ok()
}

/// ISO form `YYYY-MM-DD`, as the interchange format writes dates.
pub fn iso(date: Date) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

/// The way Indonesians write a date: `7 Agustus 2023`.
pub fn indonesian(date: Date) -> String {
    format!("{} {} {}", date.day(), MONTHS_ID[usize::from(u8::from(date.month())) - 1], date.year())
}

/// Whole years between `birth` and `on` (age on a day).
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut years = on.year() - birth.year();
    if (u8::from(on.month()), on.day()) < (u8::from(birth.month()), birth.day()) {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_three_spellings_of_one_date() {
        let want = ymd(2024, 2, 29).unwrap();
        assert_eq!(parse_date("2024-02-29"), Ok(want));
        assert_eq!(parse_date("29-02-2024"), Ok(want));
        assert_eq!(parse_date("29/2/2024"), Ok(want));
        assert_eq!(parse_date(" 2024-02-29 "), Ok(want));
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        assert_eq!(
            parse_date("31-02-2024"),
            Err(DateError::NotInCalendar { year: 2024, month: 2, day: 31 })
        );
        assert_eq!(
            parse_date("2023-13-01"),
            Err(DateError::NotInCalendar { year: 2023, month: 13, day: 1 })
        );
        assert_eq!(parse_date("2024/02/29"), Err(DateError::Format));
        assert_eq!(parse_date("29-02-24"), Err(DateError::Format));
        assert_eq!(parse_date("kemarin"), Err(DateError::Format));
        assert_eq!(parse_date(""), Err(DateError::Format));
    }

    #[test]
    fn formats_dates_the_indonesian_way() {
        assert_eq!(indonesian(ymd(2023, 8, 7).unwrap()), "7 Agustus 2023");
        assert_eq!(iso(ymd(2023, 8, 7).unwrap()), "2023-08-07");
    }

    #[test]
    fn age_counts_whole_years() {
        let birth = ymd(2000, 6, 15).unwrap();
        assert_eq!(age_on(birth, ymd(2025, 6, 14).unwrap()), 24);
        assert_eq!(age_on(birth, ymd(2025, 6, 15).unwrap()), 25);
    }
}
