//! Recently checked API tokens, so a partner system's every request does not cost a
//! database round trip (at 2,000 screenings a second that lookup was a quarter of the work).
//!
//! An entry is trusted for `RECHECK_AFTER` only: a token revoked on this server is dropped
//! at once, and one revoked by another server or by `jejak token revoke` stops working here
//! within that time, when the entry is next read from the store.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use jejak_store::ApiTokenRecord;
use time::{Duration, OffsetDateTime};

/// How long a token checked against the store is trusted without asking again.
pub const RECHECK_AFTER: Duration = Duration::seconds(1);

/// Tokens by the hash of their secret, with when each was read from the store.
#[derive(Default)]
pub(crate) struct TokenCache {
    entries: Mutex<HashMap<String, Checked>>,
}

#[derive(Clone)]
struct Checked {
    token: ApiTokenRecord,
    read_at: OffsetDateTime,
}

impl TokenCache {
    /// The token behind `hash` if it was read from the store less than `RECHECK_AFTER`
    /// before `now` (a clock that moved back counts as stale).
    pub(crate) fn fresh(&self, hash: &str, now: OffsetDateTime) -> Option<ApiTokenRecord> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let checked = entries.get(hash)?;
        let age = now - checked.read_at;
        (age >= Duration::ZERO && age < RECHECK_AFTER).then(|| checked.token.clone())
    }

    /// Remembers `token` as read from the store at `now`. Only tokens that exist are kept,
    /// so guessing secrets cannot grow the cache.
    pub(crate) fn put(&self, hash: &str, token: ApiTokenRecord, now: OffsetDateTime) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.insert(hash.to_owned(), Checked { token, read_at: now });
    }

    /// Records a use written to the store, keeping the entry's age.
    pub(crate) fn touched(&self, hash: &str, at: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(checked) = entries.get_mut(hash) {
            checked.token.last_used_at = Some(at.to_owned());
        }
    }

    /// Forgets every token, after a revocation on this server.
    pub(crate) fn clear(&self) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}
