//! Validity periods of rules and list entries, and ISO date helpers.
//!
//! Both ends are inclusive: an entry with `valid_to = 2025-03-13` is in force on that day and
//! not on the 14th. A missing end is open.

use serde::Serialize;
use time::Date;
use time::macros::format_description;

/// A period of validity; both ends inclusive, both optional.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct Validity {
    /// First day in force.
    #[serde(serialize_with = "ser_opt_date")]
    pub from: Option<Date>,
    /// Last day in force.
    #[serde(serialize_with = "ser_opt_date")]
    pub to: Option<Date>,
}

impl Validity {
    /// True when `on` lies in the period.
    pub fn contains(&self, on: Date) -> bool {
        self.from.is_none_or(|f| f <= on) && self.to.is_none_or(|t| on <= t)
    }

    /// True when the two periods share at least one day.
    pub fn overlaps(&self, other: &Validity) -> bool {
        let starts_before_other_ends = match (self.from, other.to) {
            (Some(f), Some(t)) => f <= t,
            _ => true,
        };
        let other_starts_before_this_ends = match (other.from, self.to) {
            (Some(f), Some(t)) => f <= t,
            _ => true,
        };
        starts_before_other_ends && other_starts_before_this_ends
    }
}

/// Parses `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), format_description!("[year]-[month]-[day]")).ok()
}

/// Formats as `YYYY-MM-DD`.
pub fn format_date(date: Date) -> String {
    let (y, m, d) = (date.year(), u8::from(date.month()), date.day());
    format!("{y:04}-{m:02}-{d:02}")
}

/// Serialises a date as `YYYY-MM-DD`.
pub fn ser_date<S: serde::Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_date(*date))
}

/// Serialises an optional date as `YYYY-MM-DD` or null.
pub fn ser_opt_date<S: serde::Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match date {
        Some(d) => s.serialize_str(&format_date(*d)),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn ends_are_inclusive() {
        let v = Validity { from: Some(date!(2015 - 07 - 01)), to: Some(date!(2025 - 03 - 13)) };
        assert!(v.contains(date!(2015 - 07 - 01)));
        assert!(v.contains(date!(2025 - 03 - 13)));
        assert!(!v.contains(date!(2025 - 03 - 14)));
        assert!(!v.contains(date!(2015 - 06 - 30)));
        assert!(Validity::default().contains(date!(1900 - 01 - 01)));
    }

    #[test]
    fn overlap_detection() {
        let a = Validity { from: None, to: Some(date!(2020 - 01 - 01)) };
        let b = Validity { from: Some(date!(2020 - 01 - 02)), to: None };
        let c = Validity { from: Some(date!(2020 - 01 - 01)), to: None };
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&c));
        assert!(Validity::default().overlaps(&a));
    }

    #[test]
    fn dates_parse_and_format() {
        assert_eq!(parse_date("2025-03-14"), Some(date!(2025 - 03 - 14)));
        assert_eq!(parse_date("2025-02-30"), None);
        assert_eq!(parse_date("14-03-2025"), None);
        assert_eq!(format_date(date!(2025 - 03 - 04)), "2025-03-04");
    }
}
