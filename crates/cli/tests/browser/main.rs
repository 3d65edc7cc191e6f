//! End-to-end tests in real headless Chromium (Debian's `chromium` + `chromium-driver`,
//! installed by `scripts/ensure-chromium`): the `jejak` binary serves a fresh register, a
//! browser plays the officers. Outside CI, a machine without Chromium skips them with a note;
//! under `CI=true` a missing browser is a failure. Screenshots go to `target/screenshots/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed unwrap is a failed test"
)]

mod admin;
mod monitoring;
mod officers;
mod referral;
mod support;
mod village;
