//! Keyed anchoring of the audit log (issue 20). The hash chain proves itself only up to its
//! last entry: whoever can write the database can rewrite it and recompute every hash. An
//! anchor is the chain's head (sequence number and hash) signed with an Ed25519 key the
//! register does not hold; `verify_anchored` checks every anchor's signature with the public
//! key and that the chain still reaches each anchored head, so a rewritten or forged chain is
//! caught without an exported checkpoint. Entries after the newest anchor are vouched for by
//! the chain alone until the next anchor.
//!
//! `anchor` walks the chain only from the newest anchor (whose signature it checks first) to
//! the head, so a server can anchor every few minutes; `spawn_anchorer` does that.

use std::sync::Arc;
use std::time::Duration;

use jejak_exchange::{PublicKey, SecretKey};
use jejak_store::anchors::NO_PREVIOUS_ANCHOR;
use jejak_store::{AuditAnchor, AuditVerification, ChainVerifier, Checkpoint, Store};

use crate::{Clock, Result, ServiceError};

/// The first line of an anchor key file (the exchange key file format under its own label).
pub const ANCHOR_KEY_LABEL: &str = "jejak-audit-anchor-ed25519-secret";

/// Events and anchors read per page.
const PAGE: u32 = 5_000;

/// The key file text of an anchor signing key.
pub fn anchor_key_file_text(key: &SecretKey) -> String {
    key.to_labelled_file_text(ANCHOR_KEY_LABEL)
}

/// Reads an anchor signing key file's text; `name` is used in messages.
pub fn read_anchor_key(name: &str, text: &str) -> Result<SecretKey> {
    if text.trim_start().starts_with(jejak_exchange::keys::EXCHANGE_KEY_LABEL) {
        return Err(ServiceError::Invalid(format!(
            "{name} is an exchange signing key; audit anchors need a key of their own \
             (jejak audit keygen)"
        )));
    }
    SecretKey::from_labelled_file_text(text, ANCHOR_KEY_LABEL)
        .map_err(|e| ServiceError::Invalid(format!("{name}: {e}")))
}

/// Reads a public key: the base64 text `jejak audit keygen` prints (and writes to
/// `KEY.pub`). A secret key file is refused: verification never needs the secret.
pub fn read_public_key(name: &str, text: &str) -> Result<PublicKey> {
    let text = text.trim();
    if text.starts_with(ANCHOR_KEY_LABEL)
        || text.starts_with(jejak_exchange::keys::EXCHANGE_KEY_LABEL)
    {
        return Err(ServiceError::Invalid(format!(
            "{name} is a secret signing key; give the public key (KEY.pub, or the base64 \
             jejak audit keygen printed)"
        )));
    }
    PublicKey::from_base64(text).map_err(|e| ServiceError::Invalid(format!("{name}: {e}")))
}

/// What `anchor` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorOutcome {
    /// A new anchor was stored.
    Anchored(AuditAnchor),
    /// The chain has not moved since the newest anchor, which still holds.
    Unchanged(AuditAnchor),
    /// The audit log is empty: nothing to anchor.
    Empty,
}

/// Signs the chain's current head and stores the anchor. Refused (`Invalid`) when the newest
/// anchor was made with this key but its signature does not verify, or when the chain from it
/// to the head is broken: a tampered chain is never signed. A concurrent anchor from another
/// server is a `Conflict`.
pub async fn anchor(store: &dyn Store, key: &SecretKey, at: &str) -> Result<AnchorOutcome> {
    let public = key.public();
    let last = store.last_audit_anchor().await?;
    let mut verifier = ChainVerifier::new();
    let mut after = 0;
    if let Some(last) = &last {
        if last.public_key == public.to_base64()
            && !public.verifies(&last.signed_message(), &last.signature)
        {
            return Err(ServiceError::Invalid(format!(
                "the newest audit anchor ({}) does not verify with this key: it was forged; \
                 not anchoring (run jejak audit verify --key)",
                last.n
            )));
        }
        // The anchored entry must still hold the signed hash; the walk goes on from it.
        let entry = store.audit_events(last.seq - 1, 1).await?;
        match entry.first() {
            Some(e) if e.seq == last.seq && e.hash == last.hash => {}
            _ => {
                return Err(ServiceError::Invalid(format!(
                    "audit entry {} is not the one anchor {} signed: the chain was rewritten; \
                     not anchoring (run jejak audit verify --key)",
                    last.seq, last.n
                )));
            }
        }
        verifier =
            ChainVerifier::resume_after(Checkpoint { seq: last.seq, hash: last.hash.clone() });
        after = last.seq;
    }
    loop {
        let page = store.audit_events(after, PAGE).await?;
        let Some(newest) = page.last() else { break };
        after = newest.seq;
        verifier.feed(&page);
        if verifier.is_broken() {
            break;
        }
    }
    let walked = verifier.finish();
    if let Some(broken) = walked.first_failure {
        return Err(ServiceError::Invalid(format!(
            "the audit chain is broken ({broken}); not anchoring (run jejak audit verify --key)"
        )));
    }
    if walked.head_seq == 0 {
        return Ok(AnchorOutcome::Empty);
    }
    if let Some(last) = &last
        && last.seq == walked.head_seq
    {
        return Ok(AnchorOutcome::Unchanged(last.clone()));
    }
    let mut anchor = AuditAnchor {
        n: last.as_ref().map_or(1, |l| l.n + 1),
        seq: walked.head_seq,
        hash: walked.head_hash,
        at: at.to_owned(),
        public_key: public.to_base64(),
        prev_signature: last.map_or_else(|| NO_PREVIOUS_ANCHOR.to_owned(), |l| l.signature),
        signature: String::new(),
    };
    anchor.signature = key.sign(&anchor.signed_message());
    store.add_audit_anchor(&anchor).await?;
    Ok(AnchorOutcome::Anchored(anchor))
}

/// Why the anchors do not vouch for the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorFailure {
    /// The register holds no anchor (never anchored, or the anchors were deleted).
    NoAnchors,
    /// Anchor `n`'s signature does not verify: it was forged or altered.
    Forged { n: i64 },
    /// Anchor `n` names a key that is not one of the given keys.
    OtherKey { n: i64, public_key: String },
    /// Anchor `n` is not numbered or chained as the one after the anchor before it: an anchor
    /// was removed or replaced.
    Unchained { n: i64, expected: i64 },
    /// Anchor `n` names an earlier entry than the anchor before it.
    OutOfOrder { n: i64 },
}

impl std::fmt::Display for AnchorFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoAnchors => f.write_str(
                "no signed anchors in the register: nothing vouches for the chain (never \
                 anchored, or the anchors were deleted)",
            ),
            Self::Forged { n } => {
                write!(f, "audit anchor {n}: its signature does not verify (forged or altered)")
            }
            Self::OtherKey { n, public_key } => write!(
                f,
                "audit anchor {n} names key {public_key}, not a given key (forged, or made \
                 with a key not given)"
            ),
            Self::Unchained { n, expected } => write!(
                f,
                "audit anchor {n} does not follow the anchor before it (expected anchor \
                 {expected} chained to its signature): an anchor was removed or replaced"
            ),
            Self::OutOfOrder { n } => {
                write!(f, "audit anchor {n} names an earlier entry than the anchor before it")
            }
        }
    }
}

/// The verdict of `verify_anchored`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchoredVerification {
    /// The chain walked against every good anchor (and the checkpoint, if given).
    pub chain: AuditVerification,
    /// Anchors whose signatures verified.
    pub anchors_verified: u64,
    /// The newest anchor that verified.
    pub last_anchor: Option<AuditAnchor>,
    /// The first anchor that does not, if any.
    pub anchor_failure: Option<AnchorFailure>,
}

impl AnchoredVerification {
    /// Whether the chain and its anchors hold.
    pub fn is_sound(&self) -> bool {
        self.chain.first_failure.is_none() && self.anchor_failure.is_none()
    }
}

/// Checks every anchor's signature with `keys` (several after a key change) and walks the
/// chain requiring each anchored entry to hold the signed hash. When no anchor was made with
/// any given key, the keys are refused (`Invalid`) rather than every anchor called forged.
pub async fn verify_anchored(
    store: &dyn Store,
    checkpoint: Option<Checkpoint>,
    keys: &[PublicKey],
) -> Result<AnchoredVerification> {
    let mut anchors = Vec::new();
    let mut after = 0;
    loop {
        let page = store.audit_anchors(after, PAGE).await?;
        let Some(newest) = page.last() else { break };
        after = newest.n;
        anchors.extend(page);
    }
    let given: Vec<String> = keys.iter().map(PublicKey::to_base64).collect();
    if !anchors.is_empty() && !anchors.iter().any(|a| given.contains(&a.public_key)) {
        let mut named: Vec<&str> = anchors.iter().map(|a| a.public_key.as_str()).collect();
        named.sort_unstable();
        named.dedup();
        return Err(ServiceError::Invalid(format!(
            "wrong public key: none of the {} audit anchors was made with {}; they name {}",
            anchors.len(),
            given.join(", "),
            named.join(", ")
        )));
    }
    let mut good: Vec<AuditAnchor> = Vec::with_capacity(anchors.len());
    let mut anchor_failure = if anchors.is_empty() { Some(AnchorFailure::NoAnchors) } else { None };
    for anchor in anchors {
        if let Some(failure) = check_anchor(&anchor, good.last(), keys, &given) {
            anchor_failure = Some(failure);
            break;
        }
        good.push(anchor);
    }
    let mut verifier = ChainVerifier::new().with_anchors(&good);
    if let Some(cp) = checkpoint {
        verifier = verifier.with_checkpoint(cp);
    }
    let mut after = 0;
    loop {
        let page = store.audit_events(after, PAGE).await?;
        let Some(newest) = page.last() else { break };
        after = newest.seq;
        verifier.feed(&page);
        if verifier.is_broken() {
            break;
        }
    }
    Ok(AnchoredVerification {
        chain: verifier.finish(),
        anchors_verified: good.len() as u64,
        last_anchor: good.pop(),
        anchor_failure,
    })
}

/// What is wrong with `anchor`, coming after `previous`, if anything.
fn check_anchor(
    anchor: &AuditAnchor,
    previous: Option<&AuditAnchor>,
    keys: &[PublicKey],
    given: &[String],
) -> Option<AnchorFailure> {
    let (expected, prev_signature) = match previous {
        Some(p) => (p.n + 1, p.signature.as_str()),
        None => (1, NO_PREVIOUS_ANCHOR),
    };
    if anchor.n != expected || anchor.prev_signature != prev_signature {
        return Some(AnchorFailure::Unchained { n: anchor.n, expected });
    }
    let Some(index) = given.iter().position(|k| *k == anchor.public_key) else {
        return Some(AnchorFailure::OtherKey {
            n: anchor.n,
            public_key: anchor.public_key.clone(),
        });
    };
    if !keys[index].verifies(&anchor.signed_message(), &anchor.signature) {
        return Some(AnchorFailure::Forged { n: anchor.n });
    }
    if previous.is_some_and(|p| anchor.seq < p.seq) {
        return Some(AnchorFailure::OutOfOrder { n: anchor.n });
    }
    None
}

/// Anchors the chain every `every` (the configuration's `[audit] anchor_every_minutes`),
/// logging each outcome; a failure is logged as an error and tried again next time.
pub fn spawn_anchorer(
    store: Arc<dyn Store>,
    key: SecretKey,
    every: Duration,
    clock: Arc<dyn Clock>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match anchor(store.as_ref(), &key, &clock.timestamp()).await {
                Ok(AnchorOutcome::Anchored(a)) => {
                    tracing::info!(anchor = a.n, seq = a.seq, "audit chain anchored");
                }
                Ok(AnchorOutcome::Unchanged(_) | AnchorOutcome::Empty) => {}
                Err(ServiceError::Conflict(_)) => {
                    tracing::info!("another server anchored the audit chain first");
                }
                Err(e) => tracing::error!(error = %e, "audit anchoring failed"),
            }
        }
    })
}
