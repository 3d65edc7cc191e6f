//! Domain types of the register: applications, decisions, offices, and the identifiers
//! (NIK, phone, passport number, region codes) with their validation. Pure: no I/O, no clock.
