//! Officers' verdicts on candidate pairs (confirm / reject): the `MatchDecisionStore` trait,
//! its SQL, and `match_decision_impl!`, which implements it for both backends like
//! `store_impl!` does for `Store`.

use async_trait::async_trait;
use jejak_domain::{ApplicationKey, MatchDecision, NewMatchDecision, OfficeCode, Verdict};

use crate::backend::{Dialect, SqlStore, query};
use crate::codec::RowExt;
use crate::{AuditCtx, Result, StoreError};

pub(crate) const INSERT_MATCH_DECISION: &str = "insert into match_decisions (id, application_a, application_b, verdict, officer, office_code, reason, decided_at, change_seq) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
pub(crate) const MATCH_DECISIONS_SINCE: &str =
    "select * from match_decisions where change_seq > $1 order by change_seq limit $2";
pub(crate) const MATCH_DECISIONS_OF: &str = "select * from match_decisions where application_a = $1 or application_b = $1 order by change_seq";

/// Storage of match verdicts. Every write is one transaction with its change numbers and
/// audit events; the history is never rewritten.
#[async_trait]
pub trait MatchDecisionStore: Send + Sync {
    /// Records verdicts in one transaction (all or nothing), one change number and one audit
    /// event (`match.confirm` / `match.reject`, entity `application_pair`, id `A-B`) each.
    /// `NotFound` when a pair names an application that is not stored.
    async fn record_match_decisions(
        &self,
        decisions: &[NewMatchDecision],
        ctx: &AuditCtx,
    ) -> Result<Vec<MatchDecision>>;

    /// Records one verdict (see [`MatchDecisionStore::record_match_decisions`]).
    async fn record_match_decision(
        &self,
        decision: &NewMatchDecision,
        ctx: &AuditCtx,
    ) -> Result<MatchDecision> {
        let mut recorded = self.record_match_decisions(std::slice::from_ref(decision), ctx).await?;
        recorded.pop().ok_or_else(|| StoreError::NotFound("recorded match decision".into()))
    }

    /// Verdicts recorded after `seq`, in change order (for the in-memory register).
    async fn match_decisions_changed_since(
        &self,
        seq: i64,
        limit: u32,
    ) -> Result<Vec<MatchDecision>>;

    /// Every verdict on a pair that includes `key`, oldest first (superseded ones included).
    async fn match_decisions_of(&self, key: ApplicationKey) -> Result<Vec<MatchDecision>>;
}

/// Reads one `match_decisions` row.
pub(crate) fn read_match_decision(row: &impl RowExt) -> Result<MatchDecision> {
    const T: &str = "match_decisions";
    let corrupt =
        |column: &'static str, message: String| StoreError::Corrupt { table: T, column, message };
    let verdict_text = row.text("verdict")?;
    let verdict = Verdict::parse(&verdict_text)
        .ok_or_else(|| corrupt("verdict", format!("unknown verdict {verdict_text:?}")))?;
    let office = row
        .opt_text("office_code")?
        .map(|code| OfficeCode::parse(&code).map_err(|e| corrupt("office_code", e.to_string())))
        .transpose()?;
    let data = NewMatchDecision::new(
        ApplicationKey(row.int("application_a")?),
        ApplicationKey(row.int("application_b")?),
        verdict,
        &row.text("officer")?,
        office,
        &row.text("reason")?,
        &row.text("decided_at")?,
    )
    .map_err(|e| corrupt("application_a", e.to_string()))?;
    Ok(MatchDecision { id: row.int("id")?, change_seq: row.int("change_seq")?, data })
}

/// A foreign-key failure means a pair named an application that is not stored.
pub(crate) fn missing_application(e: StoreError, decision: &NewMatchDecision) -> StoreError {
    let (a, b) = decision.pair();
    match e {
        StoreError::Backend(inner) if is_foreign_key_failure(inner.as_ref()) => {
            StoreError::NotFound(format!("application {a} or {b} (match verdict on that pair)"))
        }
        other => other,
    }
}

fn is_foreign_key_failure(e: &(dyn std::error::Error + Send + Sync + 'static)) -> bool {
    e.downcast_ref::<sqlx::Error>().is_some_and(|e| match e {
        sqlx::Error::Database(db) => db.is_foreign_key_violation(),
        _ => false,
    })
}

#[async_trait]
impl<B: Dialect> crate::match_decisions::MatchDecisionStore for SqlStore<B> {
    async fn record_match_decisions(
        &self,
        decisions: &[jejak_domain::NewMatchDecision],
        ctx: &crate::AuditCtx,
    ) -> crate::Result<Vec<jejak_domain::MatchDecision>> {
        if decisions.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let first = Self::reserve(&mut tx, decisions.len() as i64).await?;
        let mut recorded = Vec::with_capacity(decisions.len());
        for (seq, decision) in (first..).zip(decisions) {
            let (a, b) = decision.pair();
            query(crate::match_decisions::INSERT_MATCH_DECISION)
                .bind(seq)
                .bind(a.0)
                .bind(b.0)
                .bind(decision.verdict().as_str())
                .bind(decision.officer())
                .bind(decision.office().map(|o| o.as_str().to_owned()))
                .bind(decision.reason())
                .bind(decision.decided_at())
                .bind(seq)
                .execute(&mut tx)
                .await
                .map_err(|e| crate::match_decisions::missing_application(e, decision))?;
            let pair = format!("{a}-{b}");
            Self::audit_tx(
                &mut tx,
                ctx,
                decision.verdict().audit_action(),
                "application_pair",
                Some(&pair),
                decision.reason(),
            )
            .await?;
            recorded.push(jejak_domain::MatchDecision {
                id: seq,
                change_seq: seq,
                data: decision.clone(),
            });
        }
        tx.commit().await?;
        Ok(recorded)
    }

    async fn match_decisions_changed_since(
        &self,
        seq: i64,
        limit: u32,
    ) -> crate::Result<Vec<jejak_domain::MatchDecision>> {
        let rows = query(crate::match_decisions::MATCH_DECISIONS_SINCE)
            .bind(seq)
            .bind(i64::from(limit))
            .fetch_all(self)
            .await?;
        rows.iter().map(crate::match_decisions::read_match_decision).collect()
    }

    async fn match_decisions_of(
        &self,
        key: jejak_domain::ApplicationKey,
    ) -> crate::Result<Vec<jejak_domain::MatchDecision>> {
        let rows =
            query(crate::match_decisions::MATCH_DECISIONS_OF).bind(key.0).fetch_all(self).await?;
        rows.iter().map(crate::match_decisions::read_match_decision).collect()
    }
}
