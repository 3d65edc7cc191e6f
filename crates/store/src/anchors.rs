//! Signed anchors of the audit chain (issue 20, migration 0016): the chain's head (sequence
//! number and hash) at a moment, signed with an Ed25519 key the register does not hold. The
//! `AnchorStore` trait, its SQL, and `anchor_impl!` for both backends.
//!
//! The store keeps anchors and checks what it can without the key: an anchor must name an
//! entry that holds the anchored hash, and be the next one (numbered one past the newest and
//! chained to its signature), checked inside the write transaction, so two servers anchoring
//! at once cannot both add anchor `n`. Signatures are made and checked by the service, which
//! holds the keys. Anchors are not audit events themselves: an event per anchor would move
//! the head each anchor signs; the table is append-only and each anchor is signed.

use async_trait::async_trait;

use crate::Result;
use crate::backend::{Dialect, SqlStore, query, query_scalar};
use crate::codec::RowExt;

pub(crate) const LAST_ANCHOR: &str = "select * from audit_anchors order by n desc limit 1";
pub(crate) const ANCHORS_AFTER: &str =
    "select * from audit_anchors where n > $1 order by n limit $2";
pub(crate) const EVENT_HASH: &str = "select hash from audit_events where seq = $1";
pub(crate) const INSERT_ANCHOR: &str = "insert into audit_anchors (n, seq, hash, at, public_key, prev_signature, signature) values ($1, $2, $3, $4, $5, $6, $7)";

/// What the first anchor's `prev_signature` holds.
pub const NO_PREVIOUS_ANCHOR: &str = "-";

/// One signed anchor: anchor `n` says the audit entry `seq` had hash `hash` at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAnchor {
    /// 1, 2, 3, ... without gaps.
    pub n: i64,
    pub seq: i64,
    pub hash: String,
    pub at: String,
    /// The Ed25519 public key that signed it (base64), so a wrong key is told apart from a
    /// forged signature.
    pub public_key: String,
    /// The previous anchor's signature ([`NO_PREVIOUS_ANCHOR`] for the first), so an anchor
    /// taken out of the middle breaks the next one.
    pub prev_signature: String,
    /// Base64 Ed25519 signature over [`AuditAnchor::signed_message`].
    pub signature: String,
}

impl AuditAnchor {
    /// The bytes the signature covers: every field but the signature, one `name=value` line
    /// each under a version line (no other message Jejak signs starts with it).
    pub fn signed_message(&self) -> Vec<u8> {
        format!(
            "jejak-audit-anchor-v1\nn={}\nseq={}\nhash={}\nat={}\npublic_key={}\nprev={}\n",
            self.n, self.seq, self.hash, self.at, self.public_key, self.prev_signature
        )
        .into_bytes()
    }
}

/// Storage of the signed anchors.
#[async_trait]
pub trait AnchorStore: Send + Sync {
    /// The newest anchor, if any.
    async fn last_audit_anchor(&self) -> Result<Option<AuditAnchor>>;

    /// Anchors numbered above `after`, oldest first, at most `limit`.
    async fn audit_anchors(&self, after: i64, limit: u32) -> Result<Vec<AuditAnchor>>;

    /// Adds the next anchor. Refused with `Conflict` unless it is numbered one past the newest
    /// and chained to its signature (another server anchored first), and with `InvalidValue`
    /// unless audit entry `seq` exists with hash `hash`.
    async fn add_audit_anchor(&self, anchor: &AuditAnchor) -> Result<()>;
}

pub(crate) fn read_anchor(row: &impl RowExt) -> Result<AuditAnchor> {
    Ok(AuditAnchor {
        n: row.int("n")?,
        seq: row.int("seq")?,
        hash: row.text("hash")?,
        at: row.text("at")?,
        public_key: row.text("public_key")?,
        prev_signature: row.text("prev_signature")?,
        signature: row.text("signature")?,
    })
}

/// Whether `anchor` may follow `last` (the newest stored anchor).
pub(crate) fn check_next(anchor: &AuditAnchor, last: Option<&AuditAnchor>) -> Result<()> {
    let (expected_n, expected_prev) = match last {
        Some(last) => (last.n + 1, last.signature.as_str()),
        None => (1, NO_PREVIOUS_ANCHOR),
    };
    if anchor.n != expected_n || anchor.prev_signature != expected_prev {
        return Err(crate::StoreError::Conflict(format!(
            "audit anchor {} is not the next one: the next is {expected_n}, chained to the \
             newest anchor's signature (another anchor was added first)",
            anchor.n
        )));
    }
    if let Some(last) = last
        && anchor.seq < last.seq
    {
        return Err(crate::StoreError::InvalidValue(format!(
            "audit anchor {} names entry {}, before the newest anchor's entry {}",
            anchor.n, anchor.seq, last.seq
        )));
    }
    let fields = [&anchor.hash, &anchor.at, &anchor.public_key, &anchor.signature];
    if fields.iter().any(|v| v.is_empty() || v.contains('\0')) {
        return Err(crate::StoreError::InvalidValue(format!(
            "audit anchor {}: hash, time, public key and signature are required",
            anchor.n
        )));
    }
    Ok(())
}

#[async_trait]
impl<B: Dialect> crate::anchors::AnchorStore for SqlStore<B> {
    async fn last_audit_anchor(&self) -> crate::Result<Option<crate::anchors::AuditAnchor>> {
        let row = query(crate::anchors::LAST_ANCHOR).fetch_optional(self).await?;
        row.as_ref().map(crate::anchors::read_anchor).transpose()
    }

    async fn audit_anchors(
        &self,
        after: i64,
        limit: u32,
    ) -> crate::Result<Vec<crate::anchors::AuditAnchor>> {
        let rows = query(crate::anchors::ANCHORS_AFTER)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(self)
            .await?;
        rows.iter().map(crate::anchors::read_anchor).collect()
    }

    async fn add_audit_anchor(&self, anchor: &crate::anchors::AuditAnchor) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        // Serialises with every writer, like an audit batch.
        Self::reserve(&mut tx, 0).await?;
        let last = query(crate::anchors::LAST_ANCHOR).fetch_optional(&mut tx).await?;
        let last = last.as_ref().map(crate::anchors::read_anchor).transpose()?;
        crate::anchors::check_next(anchor, last.as_ref())?;
        let stored: Option<String> = query_scalar(crate::anchors::EVENT_HASH)
            .bind(anchor.seq)
            .fetch_optional(&mut tx)
            .await?;
        if stored.as_deref() != Some(anchor.hash.as_str()) {
            return Err(crate::StoreError::InvalidValue(format!(
                "audit anchor {}: entry {} {}",
                anchor.n,
                anchor.seq,
                if stored.is_some() { "has another hash" } else { "does not exist" }
            )));
        }
        query(crate::anchors::INSERT_ANCHOR)
            .bind(anchor.n)
            .bind(anchor.seq)
            .bind(&anchor.hash)
            .bind(&anchor.at)
            .bind(&anchor.public_key)
            .bind(&anchor.prev_signature)
            .bind(&anchor.signature)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
