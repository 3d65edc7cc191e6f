//! Fuzz target: the phone parser must never panic, and a parsed number is stable: parsing its
//! E.164 text or its national form gives the same number. Run with `cargo fuzz run phone` from
//! `fuzz/` (nightly), or see fuzz/README.md.

#![no_main]

use jejak_domain::Phone;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(phone) = Phone::parse(text) else { return };
    assert_eq!(Phone::parse(phone.as_str()).as_ref(), Ok(&phone));
    let _ = (phone.national(), phone.is_mobile(), phone.masked());
});
