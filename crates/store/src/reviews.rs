//! Supervisor review requests: stored, listed, and resolved. Approving records the proposed
//! decision in the same transaction as the resolution, so an approval never exists without its
//! decision (and an application changed since the request makes the approval a conflict).

use async_trait::async_trait;
use jejak_domain::{
    ApplicationKey, AuditAction, DecisionKind, NewDecision, NewReviewRequest, OfficeCode,
    ReviewRequest, ReviewStatus,
};

use crate::backend::{Dialect, SqlStore, query};
use crate::codec::{RowExt, corrupt, date, opt};
use crate::{AuditCtx, Result};

pub(crate) const INSERT_REVIEW: &str = "insert into review_requests (id, application_key, kind, decided_on, deferral_until, reason_codes, reason_text, expected_version, grounds, requested_by, requested_at, status, change_seq) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12)";
pub(crate) const SELECT_REVIEW: &str = "select * from review_requests where id = $1";
pub(crate) const PENDING_REVIEWS: &str = "select r.* from review_requests r join applications a on a.id = r.application_key where r.status = 'pending' and ($1 is null or a.office_code = $1) order by r.id";
pub(crate) const REVIEWS_OF: &str =
    "select * from review_requests where application_key = $1 order by id";
pub(crate) const RESOLVE_REVIEW: &str = "update review_requests set status = $1, reviewed_by = $2, reviewed_at = $3, review_note = $4, change_seq = $5 where id = $6 and status = 'pending'";

/// How a supervisor resolves a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewResolution {
    pub approve: bool,
    pub reviewer: String,
    pub note: Option<String>,
    /// RFC 3339 UTC.
    pub at: String,
}

/// Storage of review requests.
#[async_trait]
pub trait ReviewStore {
    /// Stores a pending request.
    async fn request_review(
        &self,
        request: &NewReviewRequest,
        ctx: &AuditCtx,
    ) -> Result<ReviewRequest>;

    async fn get_review(&self, id: i64) -> Result<ReviewRequest>;

    /// Pending requests, oldest first; only for applications of `office` when given.
    async fn pending_reviews(&self, office: Option<&OfficeCode>) -> Result<Vec<ReviewRequest>>;

    /// Every request about one application, oldest first.
    async fn reviews_of(&self, key: ApplicationKey) -> Result<Vec<ReviewRequest>>;

    /// Approves (recording the proposed decision) or refuses a pending request. A request no
    /// longer pending, or an application changed since the request, is a `Conflict`.
    async fn resolve_review(
        &self,
        id: i64,
        resolution: &ReviewResolution,
        ctx: &AuditCtx,
    ) -> Result<ReviewRequest>;
}

pub(crate) fn read_review(row: &impl RowExt) -> Result<ReviewRequest> {
    const T: &str = "review_requests";
    let codes = row.text("reason_codes")?;
    let status = row.text("status")?;
    Ok(ReviewRequest {
        id: row.int("id")?,
        data: NewReviewRequest {
            proposed: NewDecision {
                application: ApplicationKey(row.int("application_key")?),
                kind: DecisionKind::parse(&row.text("kind")?)
                    .ok_or_else(|| corrupt(T, "kind", "unknown kind"))?,
                decided_on: date(T, "decided_on", &row.text("decided_on")?)?,
                deferral_until: opt(
                    T,
                    "deferral_until",
                    row.opt_text("deferral_until")?,
                    jejak_domain::date::parse_date,
                )?,
                reason_codes: codes
                    .split(',')
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect(),
                reason_text: row.opt_text("reason_text")?,
                officer: Some(row.text("requested_by")?),
            },
            expected_version: row.int("expected_version")?,
            grounds: row.text("grounds")?,
            requested_by: row.text("requested_by")?,
        },
        status: ReviewStatus::parse(&status)
            .ok_or_else(|| corrupt(T, "status", format!("unknown status {status}")))?,
        requested_at: row.text("requested_at")?,
        reviewed_by: row.opt_text("reviewed_by")?,
        reviewed_at: row.opt_text("reviewed_at")?,
        review_note: row.opt_text("review_note")?,
        change_seq: row.int("change_seq")?,
    })
}

#[async_trait]
impl<B: Dialect> crate::reviews::ReviewStore for SqlStore<B> {
    async fn request_review(
        &self,
        request: &jejak_domain::NewReviewRequest,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::ReviewRequest> {
        let mut tx = self.begin_write().await?;
        let id = Self::reserve(&mut tx, 1).await?;
        let d = &request.proposed;
        query(crate::reviews::INSERT_REVIEW)
            .bind(id)
            .bind(d.application.0)
            .bind(d.kind.as_str())
            .bind(jejak_domain::date::iso(d.decided_on))
            .bind(d.deferral_until.map(jejak_domain::date::iso))
            .bind(d.reason_codes.join(","))
            .bind(d.reason_text.clone())
            .bind(request.expected_version)
            .bind(&request.grounds)
            .bind(&request.requested_by)
            .bind(&ctx.at)
            .bind(id)
            .execute(&mut tx)
            .await?;
        let key = d.application.to_string();
        let details = format!("{} requested: {}", d.kind.as_str(), request.grounds);
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::ReviewRequest,
            "application",
            Some(&key),
            &details,
        )
        .await?;
        tx.commit().await?;
        self.get_review(id).await
    }

    async fn get_review(&self, id: i64) -> crate::Result<jejak_domain::ReviewRequest> {
        let row = query(crate::reviews::SELECT_REVIEW)
            .bind(id)
            .fetch_optional(self)
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("review request {id}")))?;
        crate::reviews::read_review(&row)
    }

    async fn pending_reviews(
        &self,
        office: Option<&jejak_domain::OfficeCode>,
    ) -> crate::Result<Vec<jejak_domain::ReviewRequest>> {
        let rows = query(crate::reviews::PENDING_REVIEWS)
            .bind(office.map(|o| o.as_str().to_owned()))
            .fetch_all(self)
            .await?;
        rows.iter().map(crate::reviews::read_review).collect()
    }

    async fn reviews_of(
        &self,
        key: jejak_domain::ApplicationKey,
    ) -> crate::Result<Vec<jejak_domain::ReviewRequest>> {
        let rows = query(crate::reviews::REVIEWS_OF).bind(key.0).fetch_all(self).await?;
        rows.iter().map(crate::reviews::read_review).collect()
    }

    async fn resolve_review(
        &self,
        id: i64,
        resolution: &crate::reviews::ReviewResolution,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<jejak_domain::ReviewRequest> {
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let row = query(crate::reviews::SELECT_REVIEW)
            .bind(id)
            .fetch_optional(&mut tx)
            .await?
            .ok_or_else(|| crate::StoreError::NotFound(format!("review request {id}")))?;
        let request = crate::reviews::read_review(&row)?;
        let status = if resolution.approve { "approved" } else { "refused" };
        let updated = query(crate::reviews::RESOLVE_REVIEW)
            .bind(status)
            .bind(&resolution.reviewer)
            .bind(&resolution.at)
            .bind(resolution.note.clone())
            .bind(seq)
            .bind(id)
            .execute(&mut tx)
            .await?
            .rows_affected();
        if updated == 0 {
            return Err(crate::StoreError::Conflict(format!(
                "review request {id} was already {} by {}",
                request.status.as_str(),
                request.reviewed_by.as_deref().unwrap_or("?")
            )));
        }
        if resolution.approve {
            let mut decision = request.data.proposed.clone();
            let approval = format!("disetujui oleh {}", resolution.reviewer);
            decision.reason_text = Some(match decision.reason_text.take() {
                Some(text) if !text.trim().is_empty() => {
                    format!("{} ({approval})", text.trim())
                }
                _ => approval,
            });
            Self::decide_tx(&mut tx, &decision, request.data.expected_version, ctx).await?;
        }
        let key = request.application().to_string();
        let details = format!(
            "review {id} {status}{}",
            resolution.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()
        );
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::ReviewResolve,
            "application",
            Some(&key),
            &details,
        )
        .await?;
        tx.commit().await?;
        self.get_review(id).await
    }
}
