//! The tamper-evident audit log: each event's hash covers its fields and the previous hash,
//! so editing, inserting or deleting an event breaks the chain from that point on.
//!
//! `ChainVerifier` walks the chain page by page and, at the first break, says which entry is
//! wrong and how (edited, inserted, deleted). A chain can only prove itself up to its last
//! entry: removing the newest entries, or rewriting the whole chain, is only caught against a
//! checkpoint kept outside the database (`Checkpoint`, from `jejak audit export`), or against
//! the signed anchors of `anchors.rs` (`ChainVerifier::with_anchors`): every anchored entry
//! must still be there with the hash the anchor signed.

use jejak_domain::AuditAction;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored audit event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub office_code: Option<String>,
    pub purpose: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The sequence number and previous hash of the event written after `last` (sequence number
/// and hash of the newest stored event; `None` for the first).
pub(crate) fn next_after(last: Option<(i64, String)>) -> (i64, String) {
    match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    }
}

impl AuditEvent {
    /// The event written after `last` (sequence number and hash of the newest stored event;
    /// `None` for the first), with its hash.
    pub(crate) fn following(
        last: Option<(i64, String)>,
        ctx: &crate::AuditCtx,
        action: AuditAction,
        entity: &str,
        entity_id: Option<&str>,
        details: &str,
    ) -> Self {
        let (seq, prev_hash) = next_after(last);
        Self::chained(seq, prev_hash, ctx, action, entity, entity_id, details)
    }

    /// A batch of events chained in order, the first numbered `seq` after `prev_hash` (the
    /// chain's head, see [`next_after`]).
    pub(crate) fn chain_batch(
        (mut seq, mut prev_hash): (i64, String),
        events: &[crate::AuditAppend],
    ) -> Vec<AuditEvent> {
        let mut chained = Vec::with_capacity(events.len());
        for e in events {
            let event = Self::chained(
                seq,
                prev_hash,
                &e.ctx,
                e.action,
                &e.entity,
                e.entity_id.as_deref(),
                &e.details,
            );
            (seq, prev_hash) = (seq + 1, event.hash.clone());
            chained.push(event);
        }
        chained
    }

    /// The event numbered `seq` after the one whose hash is `prev_hash`, hashed.
    pub(crate) fn chained(
        seq: i64,
        prev_hash: String,
        ctx: &crate::AuditCtx,
        action: AuditAction,
        entity: &str,
        entity_id: Option<&str>,
        details: &str,
    ) -> AuditEvent {
        let mut event = AuditEvent {
            seq,
            at: ctx.at.clone(),
            actor: ctx.actor.clone(),
            office_code: ctx.office.as_ref().map(|o| o.as_str().to_owned()),
            purpose: ctx.purpose.clone(),
            action: action.as_str().to_owned(),
            entity: entity.to_owned(),
            entity_id: entity_id.map(str::to_owned),
            details: details.to_owned(),
            prev_hash,
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        event
    }

    /// The hash this event must carry, given its fields and `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        // Length-prefixed fields: no two different events serialise alike.
        let mut field = |s: &str| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        field(&self.seq.to_string());
        field(&self.at);
        field(&self.actor);
        field(self.office_code.as_deref().unwrap_or("\u{0}"));
        field(self.purpose.as_deref().unwrap_or("\u{0}"));
        field(&self.action);
        field(&self.entity);
        field(self.entity_id.as_deref().unwrap_or("\u{0}"));
        field(&self.details);
        field(&self.prev_hash);
        hex::encode(h.finalize())
    }
}

/// What is wrong with the entry a verification names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditFailure {
    /// The entry's content no longer matches its hash: it was edited (or forged with a wrong
    /// hash).
    Edited,
    /// The entry is consistent in itself, but the next entry links past it to the one before:
    /// it was inserted into the chain.
    Inserted,
    /// The entry is missing, with every entry up to `last_missing`.
    Deleted { last_missing: i64 },
    /// The entry does not link to the entry before it, which is consistent in itself: the
    /// entry before was rewritten (hash recomputed), or this one was forged.
    Unlinked,
    /// A sequence number repeats or goes backwards.
    OutOfOrder { expected: i64 },
    /// The checkpoint's entry is missing: entries were deleted from the end of the chain.
    Truncated,
    /// The entry differs from the copy in the checkpoint: the chain was rewritten.
    DiffersFromCheckpoint,
    /// The entry's hash is not the one signed anchor `anchor` vouches for: the chain up to it
    /// was rewritten (even if its hashes were recomputed).
    DiffersFromAnchor { anchor: i64 },
    /// The entry signed anchor `anchor` vouches for is missing: entries were deleted from the
    /// end of the chain.
    MissingAnchored { anchor: i64 },
}

impl std::fmt::Display for AuditFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Edited => f.write_str("edited (or forged): its content does not match its hash"),
            Self::Inserted => {
                f.write_str("inserted: the next entry links past it to the entry before")
            }
            Self::Deleted { last_missing } => {
                write!(f, "deleted: missing (with every entry up to {last_missing})")
            }
            Self::Unlinked => f.write_str(
                "does not link to the entry before it: that entry was rewritten or this one forged",
            ),
            Self::OutOfOrder { expected } => {
                write!(f, "out of order: expected sequence number {expected}")
            }
            Self::Truncated => {
                f.write_str("missing: the checkpoint has it, the register does not (deleted)")
            }
            Self::DiffersFromCheckpoint => {
                f.write_str("rewritten: it differs from the checkpoint's copy")
            }
            Self::DiffersFromAnchor { anchor } => write!(
                f,
                "rewritten: its hash is not the one signed anchor {anchor} vouches for \
                 (the chain up to it was rewritten)"
            ),
            Self::MissingAnchored { anchor } => {
                write!(f, "missing: signed anchor {anchor} vouches for it (deleted)")
            }
        }
    }
}

/// The first broken entry of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditBreak {
    pub seq: i64,
    pub failure: AuditFailure,
}

impl std::fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit entry {} {}", self.seq, self.failure)
    }
}

/// Result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerification {
    /// Entries checked (up to and including the broken one).
    pub checked: u64,
    /// The first broken entry and why, if any.
    pub first_failure: Option<AuditBreak>,
    /// Sequence number and hash of the last good entry (a checkpoint to keep outside the
    /// database); `0` and `GENESIS_HASH` for an empty chain.
    pub head_seq: i64,
    pub head_hash: String,
}

/// An entry a checkpoint vouches for: the register must still hold it unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

/// Walks a chain in order, one page at a time, stopping at the first break.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    checked: u64,
    expected_seq: i64,
    /// Hash of the last good entry, and of the one before it (to recognise an insertion).
    prev_hash: String,
    prev_prev_hash: Option<String>,
    failure: Option<AuditBreak>,
    checkpoint: Option<Checkpoint>,
    /// Anchored heads not yet reached, in chain order: (anchor number, sequence, hash).
    anchored: std::collections::VecDeque<(i64, i64, String)>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// A verifier expecting the chain from its first entry.
    pub fn new() -> Self {
        Self {
            checked: 0,
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            prev_prev_hash: None,
            failure: None,
            checkpoint: None,
            anchored: std::collections::VecDeque::new(),
        }
    }

    /// A verifier that takes `from` (an entry known to be sound, e.g. the newest anchored
    /// one) as checked and expects the chain to go on from it: fed the entries after it.
    pub fn resume_after(from: Checkpoint) -> Self {
        Self { expected_seq: from.seq + 1, prev_hash: from.hash, ..Self::new() }
    }

    /// Also require every anchored entry to be present with the hash its anchor signed (the
    /// anchors' signatures are checked by the caller, who holds the public key).
    pub fn with_anchors(mut self, anchors: &[crate::AuditAnchor]) -> Self {
        let mut heads: Vec<(i64, i64, String)> =
            anchors.iter().map(|a| (a.n, a.seq, a.hash.clone())).collect();
        heads.sort_by_key(|&(n, seq, _)| (seq, n));
        self.anchored = heads.into();
        self
    }

    /// Also require the checkpoint's entry to be present with the same hash.
    pub fn with_checkpoint(mut self, checkpoint: Checkpoint) -> Self {
        self.checkpoint = Some(checkpoint);
        self
    }

    /// Whether a break was found (further events are ignored).
    pub fn is_broken(&self) -> bool {
        self.failure.is_some()
    }

    /// Checks the next events in order.
    pub fn feed<'a>(&mut self, events: impl IntoIterator<Item = &'a AuditEvent>) {
        for event in events {
            if self.failure.is_some() {
                return;
            }
            self.checked += 1;
            if let Some(failure) = self.check(event) {
                self.failure = Some(failure);
                return;
            }
            self.prev_prev_hash = Some(std::mem::replace(&mut self.prev_hash, event.hash.clone()));
            self.expected_seq += 1;
            while self.anchored.front().is_some_and(|&(_, seq, _)| seq <= event.seq) {
                self.anchored.pop_front();
            }
        }
    }

    fn check(&self, event: &AuditEvent) -> Option<AuditBreak> {
        let at = |seq, failure| Some(AuditBreak { seq, failure });
        if let Some(cp) = &self.checkpoint
            && event.seq == cp.seq
            && event.hash != cp.hash
        {
            return at(event.seq, AuditFailure::DiffersFromCheckpoint);
        }
        // Only the front can name this entry: anchors behind are popped as the walk passes.
        if let Some((anchor, _, _)) = self
            .anchored
            .iter()
            .take_while(|(_, seq, _)| *seq <= event.seq)
            .find(|(_, seq, hash)| *seq == event.seq && *hash != event.hash)
        {
            return at(event.seq, AuditFailure::DiffersFromAnchor { anchor: *anchor });
        }
        if event.prev_hash != self.prev_hash {
            // Linking to the entry before the previous one: the previous one was slipped in.
            if self.prev_prev_hash.as_deref() == Some(event.prev_hash.as_str()) {
                return at(self.expected_seq - 1, AuditFailure::Inserted);
            }
            if event.seq > self.expected_seq {
                return at(
                    self.expected_seq,
                    AuditFailure::Deleted { last_missing: event.seq - 1 },
                );
            }
            if event.compute_hash() != event.hash {
                return at(event.seq, AuditFailure::Edited);
            }
            return at(event.seq, AuditFailure::Unlinked);
        }
        if event.compute_hash() != event.hash {
            return at(event.seq, AuditFailure::Edited);
        }
        if event.seq != self.expected_seq {
            return at(event.seq, AuditFailure::OutOfOrder { expected: self.expected_seq });
        }
        None
    }

    /// The verdict once every event was fed.
    pub fn finish(self) -> AuditVerification {
        let mut failure = self.failure;
        if failure.is_none()
            && let Some(cp) = &self.checkpoint
            && cp.seq >= self.expected_seq
        {
            failure = Some(AuditBreak { seq: cp.seq, failure: AuditFailure::Truncated });
        }
        if failure.is_none()
            && let Some((anchor, seq, _)) = self.anchored.front()
        {
            failure = Some(AuditBreak {
                seq: *seq,
                failure: AuditFailure::MissingAnchored { anchor: *anchor },
            });
        }
        AuditVerification {
            checked: self.checked,
            first_failure: failure,
            head_seq: self.expected_seq - 1,
            head_hash: self.prev_hash,
        }
    }
}

/// Checks a whole chain held in memory, from its first entry.
pub fn verify_chain<'a>(events: impl IntoIterator<Item = &'a AuditEvent>) -> AuditVerification {
    let mut verifier = ChainVerifier::new();
    verifier.feed(events);
    verifier.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEvent {
                    seq,
                    at: "2025-03-01T08:00:00Z".into(),
                    actor: "admin".into(),
                    office_code: Some("BDL".into()),
                    purpose: None,
                    action: AuditAction::DecisionRecord.as_str().into(),
                    entity: "application".into(),
                    entity_id: Some(seq.to_string()),
                    details: format!("deferred {seq}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn broken(events: &[AuditEvent]) -> Option<AuditBreak> {
        verify_chain(events).first_failure
    }

    #[test]
    fn an_untouched_chain_verifies_page_by_page() {
        let events = chain(10);
        let mut v = ChainVerifier::new();
        v.feed(&events[..4]);
        v.feed(&events[4..]);
        let result = v.finish();
        assert_eq!(result.first_failure, None);
        assert_eq!((result.checked, result.head_seq), (10, 10));
        assert_eq!(result.head_hash, events[9].hash);
        assert_eq!(verify_chain(&[]).head_hash, GENESIS_HASH);
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut events = chain(6);
        events[2].actor = "mallory".into();
        assert_eq!(broken(&events), Some(AuditBreak { seq: 3, failure: AuditFailure::Edited }));
    }

    #[test]
    fn a_rewritten_entry_with_a_fresh_hash_breaks_the_next_link() {
        let mut events = chain(6);
        events[2].details = "issued".into();
        events[2].hash = events[2].compute_hash();
        assert_eq!(broken(&events), Some(AuditBreak { seq: 4, failure: AuditFailure::Unlinked }));
    }

    #[test]
    fn a_deleted_entry_is_named_by_its_number() {
        let mut events = chain(6);
        events.remove(3);
        assert_eq!(
            broken(&events),
            Some(AuditBreak { seq: 4, failure: AuditFailure::Deleted { last_missing: 4 } })
        );
    }

    #[test]
    fn an_inserted_entry_is_named_even_with_a_correct_hash() {
        let events = chain(6);
        let mut forged = events[2].clone();
        forged.seq = 4;
        forged.details = "forged".into();
        forged.prev_hash = events[2].hash.clone();
        forged.hash = forged.compute_hash();
        // The attacker renumbers the later entries to make room.
        let mut tampered: Vec<AuditEvent> = events[..3].to_vec();
        tampered.push(forged);
        tampered.extend(events[3..].iter().cloned().map(|mut e| {
            e.seq += 1;
            e
        }));
        assert_eq!(broken(&tampered), Some(AuditBreak { seq: 4, failure: AuditFailure::Inserted }));
    }

    #[test]
    fn a_checkpoint_catches_truncation_and_rewrites() {
        let events = chain(6);
        let cp = Checkpoint { seq: 6, hash: events[5].hash.clone() };
        let mut v = ChainVerifier::new().with_checkpoint(cp.clone());
        v.feed(&events);
        assert_eq!(v.finish().first_failure, None);

        let mut v = ChainVerifier::new().with_checkpoint(cp.clone());
        v.feed(&events[..5]);
        assert_eq!(
            v.finish().first_failure,
            Some(AuditBreak { seq: 6, failure: AuditFailure::Truncated })
        );

        let mut rewritten = chain(6);
        rewritten[5].details = "other".into();
        rewritten[5].hash = rewritten[5].compute_hash();
        let mut v = ChainVerifier::new().with_checkpoint(cp);
        v.feed(&rewritten);
        assert_eq!(
            v.finish().first_failure,
            Some(AuditBreak { seq: 6, failure: AuditFailure::DiffersFromCheckpoint })
        );
    }

    fn anchor_at(n: i64, event: &AuditEvent) -> crate::AuditAnchor {
        crate::AuditAnchor {
            n,
            seq: event.seq,
            hash: event.hash.clone(),
            at: "2025-03-01T09:00:00Z".into(),
            public_key: "key".into(),
            prev_signature: "-".into(),
            signature: "sig".into(),
        }
    }

    #[test]
    fn anchors_catch_a_recomputed_chain_and_a_shortened_one() {
        let events = chain(6);
        let anchors = [anchor_at(1, &events[2]), anchor_at(2, &events[4])];
        let mut v = ChainVerifier::new().with_anchors(&anchors);
        v.feed(&events);
        assert_eq!(v.finish().first_failure, None);

        let mut rewritten = chain(6);
        rewritten[1].details = "issued".into();
        for i in 1..rewritten.len() {
            rewritten[i].prev_hash = rewritten[i - 1].hash.clone();
            rewritten[i].hash = rewritten[i].compute_hash();
        }
        assert_eq!(broken(&rewritten), None, "a recomputed chain links");
        let mut v = ChainVerifier::new().with_anchors(&anchors);
        v.feed(&rewritten);
        assert_eq!(
            v.finish().first_failure,
            Some(AuditBreak { seq: 3, failure: AuditFailure::DiffersFromAnchor { anchor: 1 } })
        );

        let mut v = ChainVerifier::new().with_anchors(&anchors);
        v.feed(&events[..4]);
        assert_eq!(
            v.finish().first_failure,
            Some(AuditBreak { seq: 5, failure: AuditFailure::MissingAnchored { anchor: 2 } })
        );

        // Resuming after an anchored entry checks only what follows it.
        let mut v =
            ChainVerifier::resume_after(Checkpoint { seq: 3, hash: events[2].hash.clone() });
        v.feed(&events[3..]);
        let walked = v.finish();
        assert_eq!((walked.first_failure, walked.checked, walked.head_seq), (None, 3, 6));
        let mut v =
            ChainVerifier::resume_after(Checkpoint { seq: 3, hash: rewritten[2].hash.clone() });
        v.feed(&events[3..]);
        assert_eq!(
            v.finish().first_failure,
            Some(AuditBreak { seq: 4, failure: AuditFailure::Unlinked })
        );
    }
}
