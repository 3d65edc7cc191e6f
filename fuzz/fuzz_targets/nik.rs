//! Fuzz target: the NIK parser must never panic; a parsed NIK gives its parts, a masked form
//! and its checks against any declared birth date without panicking, and parsing its own text
//! gives it back. Run with `cargo fuzz run nik` from `fuzz/` (nightly), or see fuzz/README.md.

#![no_main]

use jejak_domain::{Nik, Sex};
use libfuzzer_sys::fuzz_target;
use time::{Date, Month};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(nik) = Nik::parse(text) else { return };
    assert_eq!(Nik::parse(nik.as_str()).as_ref(), Ok(&nik));
    let _ = (nik.province(), nik.regency(), nik.district(), nik.sex(), nik.serial());
    assert_eq!(nik.masked().len(), 16);
    let reference = Date::from_calendar_date(2025, Month::June, 30).expect("a calendar date");
    // The declared date comes from the input too, so odd combinations get exercised.
    let day = data.iter().fold(0_u32, |acc, b| acc.wrapping_mul(31).wrapping_add(u32::from(*b)));
    let declared = Date::from_julian_day(2_415_021 + (day % 45_000) as i32).ok();
    let _ = nik.birth_date(reference, declared);
    let _ = nik.check(reference, declared, Some(Sex::Female));
    let _ = nik.check(reference, None, None);
});
