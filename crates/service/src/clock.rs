//! The one place that reads the wall clock, behind a trait so tests can fix "now".

use time::{Date, OffsetDateTime};

/// Source of "now".
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;

    fn today(&self) -> Date {
        self.now().date()
    }

    /// RFC 3339 timestamp for audit records.
    fn timestamp(&self) -> String {
        let now = self.now();
        format!(
            "{}T{:02}:{:02}:{:02}Z",
            jejak_domain::date::iso(now.date()),
            now.hour(),
            now.minute(),
            now.second()
        )
    }
}

/// The real clock (UTC).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock stopped at one instant, for tests and reproducible runs.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}

/// A clock that stands still until told to move, for tests of timeouts and lockouts.
#[derive(Debug)]
pub struct ManualClock(std::sync::Mutex<OffsetDateTime>);

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> ManualClock {
        ManualClock(std::sync::Mutex::new(start))
    }

    /// Moves "now" forward by `by`.
    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
