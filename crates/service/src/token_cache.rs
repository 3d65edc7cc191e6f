//! Recently checked API tokens, so a partner system's every request does not cost a
//! database round trip (at 2,000 screenings a second that lookup was a quarter of the work).
//!
//! An entry is trusted for `RECHECK_AFTER` only: a token revoked on this server is dropped
//! at once, and one revoked by another server or by `jejak token revoke` stops working here
//! within that time, when the entry is next read from the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use jejak_store::ApiTokenRecord;

use crate::authz::Actor;
use time::{Duration, OffsetDateTime};

/// How long a token checked against the store is trusted without asking again.
pub const RECHECK_AFTER: Duration = Duration::seconds(1);

/// Tokens by the hash of their secret, with when each was read from the store.
#[derive(Default)]
pub(crate) struct TokenCache {
    entries: Mutex<HashMap<String, Checked>>,
}

/// A token as read, with the actor it stands for (`None` when its stored role or scopes do
/// not parse), so a request does not rebuild the actor from the record.
#[derive(Clone)]
struct Checked {
    token: Arc<ApiTokenRecord>,
    actor: Option<Actor>,
    read_at: OffsetDateTime,
}

impl TokenCache {
    /// The token behind `hash` and its actor if it was read from the store less than
    /// `RECHECK_AFTER` before `now` (a clock that moved back counts as stale).
    pub(crate) fn fresh(
        &self,
        hash: &str,
        now: OffsetDateTime,
    ) -> Option<(Arc<ApiTokenRecord>, Option<Actor>)> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let checked = entries.get(hash)?;
        let age = now - checked.read_at;
        (age >= Duration::ZERO && age < RECHECK_AFTER)
            .then(|| (checked.token.clone(), checked.actor.clone()))
    }

    /// Remembers `token` (and its actor) as read from the store at `now`. Only tokens that
    /// exist are kept, so guessing secrets cannot grow the cache.
    pub(crate) fn put(
        &self,
        hash: &str,
        token: Arc<ApiTokenRecord>,
        actor: Option<Actor>,
        now: OffsetDateTime,
    ) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.insert(hash.to_owned(), Checked { token, actor, read_at: now });
    }

    /// Records a use written to the store, keeping the entry's age.
    pub(crate) fn touched(&self, hash: &str, at: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(checked) = entries.get_mut(hash) {
            Arc::make_mut(&mut checked.token).last_used_at = Some(at.to_owned());
        }
    }

    /// Forgets every token, after a revocation on this server.
    pub(crate) fn clear(&self) {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }
}
