//! The tamper-evident audit log: each event's hash covers its fields and the previous hash,
//! so editing, inserting or deleting an event breaks the chain from that point on.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One stored audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl AuditEvent {
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

/// Why the chain is broken at an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditFailure {
    /// The event's content no longer matches its hash (edited).
    HashMismatch,
    /// The event does not point at the previous event's hash (inserted or deleted before it).
    BrokenLink,
    /// The sequence skips numbers (an event was deleted) or repeats.
    SequenceGap { expected: i64 },
}

/// Result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditVerification {
    pub checked: u64,
    /// The first broken event and why, if any.
    pub first_failure: Option<(i64, AuditFailure)>,
    /// Hash of the last event checked (a checkpoint to keep outside the database).
    pub head_hash: String,
}

/// Checks events in order, continuing from a previous page's state.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = &'a AuditEvent>,
    mut expected_seq: i64,
    mut prev_hash: String,
) -> (u64, Option<(i64, AuditFailure)>, i64, String) {
    let mut checked = 0;
    for event in events {
        checked += 1;
        if event.seq != expected_seq {
            return (
                checked,
                Some((event.seq, AuditFailure::SequenceGap { expected: expected_seq })),
                expected_seq,
                prev_hash,
            );
        }
        if event.prev_hash != prev_hash {
            return (checked, Some((event.seq, AuditFailure::BrokenLink)), expected_seq, prev_hash);
        }
        if event.compute_hash() != event.hash {
            return (
                checked,
                Some((event.seq, AuditFailure::HashMismatch)),
                expected_seq,
                prev_hash,
            );
        }
        prev_hash = event.hash.clone();
        expected_seq += 1;
    }
    (checked, None, expected_seq, prev_hash)
}
