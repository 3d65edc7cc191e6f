//! Rule-set versions and stored assessments: the `RuleSetStore` trait, its values, its SQL and
//! `ruleset_impl!`, which implements it for both backends next to `store_impl!`.
//!
//! The lifecycle is enforced here, inside the write transaction, so two users acting at once
//! cannot get around it: a draft is published only by someone other than its author
//! (four-eyes), only a published version is activated, and activating retires the version that
//! was active, so exactly one is active (a partial unique index guards that too).

use async_trait::async_trait;
use jejak_domain::{ApplicationKey, AuditAction};
use serde::{Deserialize, Serialize};

use crate::backend::{Dialect, SqlStore, Tx, query, query_scalar};
use crate::codec::RowExt;
use crate::{AuditCtx, Result, StoreError};

/// Where a stored rule-set version is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSetStatus {
    Draft,
    Published,
    Active,
    Retired,
}

impl RuleSetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleSetStatus::Draft => "draft",
            RuleSetStatus::Published => "published",
            RuleSetStatus::Active => "active",
            RuleSetStatus::Retired => "retired",
        }
    }

    pub fn parse(text: &str) -> Option<RuleSetStatus> {
        match text {
            "draft" => Some(RuleSetStatus::Draft),
            "published" => Some(RuleSetStatus::Published),
            "active" => Some(RuleSetStatus::Active),
            "retired" => Some(RuleSetStatus::Retired),
            _ => None,
        }
    }
}

impl std::fmt::Display for RuleSetStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One file of a rule set, as uploaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFile {
    pub path: String,
    pub text: String,
}

/// A validated rule set to store as a draft (the caller has loaded it successfully).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRuleSet {
    pub name: String,
    pub version: String,
    /// Content digest of the loaded rule set (`RuleSetRef::digest`).
    pub digest: String,
    pub author: String,
    /// The files, the one with the `[rule_set]` header first.
    pub files: Vec<RuleFile>,
}

/// A stored rule-set version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRuleSet {
    /// The change number of its creation; versions list in this order.
    pub id: i64,
    pub name: String,
    pub version: String,
    pub digest: String,
    pub files: Vec<RuleFile>,
    pub status: RuleSetStatus,
    pub author: String,
    pub publisher: Option<String>,
    pub created_at: String,
    pub published_at: Option<String>,
    pub activated_at: Option<String>,
    /// The change number of its last transition.
    pub change_seq: i64,
}

/// A scored rule that fired, as stored with an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiredRule {
    pub id: String,
    pub weight: i64,
}

/// An assessment to record for a stored application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssessment {
    pub application: ApplicationKey,
    pub rule_set_version: String,
    pub digest: String,
    pub score: i64,
    pub band: String,
    pub fired_indicators: Vec<FiredRule>,
    /// Ids of the hard checks that failed.
    pub failed_hard_checks: Vec<String>,
}

/// A recorded assessment; `assessed_at` and `assessed_by` come from the audit context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAssessment {
    pub id: i64,
    pub change_seq: i64,
    pub assessed_at: String,
    pub assessed_by: String,
    pub data: NewAssessment,
}

/// Why a rule-set write was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RuleSetError {
    #[error("no rule set version {0} in the register")]
    NotFound(String),
    /// The version label is already used (by the same or by other content).
    #[error("rule set version {version} is already in the register (status {status})")]
    VersionTaken { version: String, status: RuleSetStatus, same_content: bool },
    /// Four-eyes principle: the author cannot publish their own rule set.
    #[error(
        "`{user}` wrote rule set {version} and cannot also publish it (four-eyes principle): another user must publish it"
    )]
    SameUser { version: String, user: String },
    #[error("a user name is required")]
    MissingUser,
    #[error("rule set {version} is {status}; only a draft can be published")]
    NotDraft { version: String, status: RuleSetStatus },
    #[error("rule set {version} is {status}; only a published rule set can be activated")]
    NotPublished { version: String, status: RuleSetStatus },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for RuleSetError {
    fn from(e: sqlx::Error) -> Self {
        RuleSetError::Store(e.into())
    }
}

/// Rule-set versions and the assessments made with them; part of every `Store`.
#[async_trait]
pub trait RuleSetStore: Send + Sync {
    /// Stores a new draft version; its author is `draft.author`.
    async fn save_rule_set_draft(
        &self,
        draft: &NewRuleSet,
        ctx: &AuditCtx,
    ) -> Result<StoredRuleSet, RuleSetError>;

    /// Publishes a draft; the publisher is `ctx.actor`, who must not be the author.
    async fn publish_rule_set(
        &self,
        version: &str,
        ctx: &AuditCtx,
    ) -> Result<StoredRuleSet, RuleSetError>;

    /// Makes a published version the active one; the version active before is retired, in
    /// the same transaction.
    async fn activate_rule_set(
        &self,
        version: &str,
        ctx: &AuditCtx,
    ) -> Result<StoredRuleSet, RuleSetError>;

    /// Every version, oldest first.
    async fn list_rule_sets(&self) -> Result<Vec<StoredRuleSet>>;

    async fn rule_set(&self, version: &str) -> Result<Option<StoredRuleSet>>;

    /// The active version, if one is.
    async fn active_rule_set(&self) -> Result<Option<StoredRuleSet>>;

    /// Records an assessment of a stored application, by `ctx.actor` at `ctx.at`.
    async fn record_assessment(
        &self,
        assessment: &NewAssessment,
        ctx: &AuditCtx,
    ) -> Result<StoredAssessment>;

    /// The assessments of one application, oldest first.
    async fn assessments_of(&self, key: ApplicationKey) -> Result<Vec<StoredAssessment>>;

    /// Up to `limit` assessments recorded after change number `since`, in change order (the
    /// monitoring aggregates follow them like the other change streams).
    async fn assessments_changed_since(
        &self,
        since: i64,
        limit: u32,
    ) -> Result<Vec<StoredAssessment>>;
}

pub(crate) const INSERT_RULE_SET: &str = "insert into rule_sets (id, version, name, digest, files, status, author, publisher, created_at, published_at, activated_at, change_seq) values ($1, $2, $3, $4, $5, 'draft', $6, null, $7, null, null, $8)";
pub(crate) const SELECT_RULE_SET: &str = "select * from rule_sets where version = $1";
pub(crate) const LIST_RULE_SETS: &str = "select * from rule_sets order by id";
pub(crate) const ACTIVE_RULE_SET: &str = "select * from rule_sets where status = 'active'";
pub(crate) const PUBLISH_RULE_SET: &str = "update rule_sets set status = 'published', publisher = $1, published_at = $2, change_seq = $3 where version = $4";
pub(crate) const RETIRE_ACTIVE: &str =
    "update rule_sets set status = 'retired', change_seq = $1 where status = 'active'";
pub(crate) const ACTIVATE_RULE_SET: &str =
    "update rule_sets set status = 'active', activated_at = $1, change_seq = $2 where version = $3";
pub(crate) const APPLICATION_EXISTS: &str = "select count(*) from applications where id = $1";
pub(crate) const INSERT_ASSESSMENT: &str = "insert into assessments (id, application_key, rule_set_version, digest, score, band, fired_indicators, failed_hard_checks, assessed_at, assessed_by, change_seq) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";
pub(crate) const ASSESSMENTS_OF: &str =
    "select * from assessments where application_key = $1 order by id";
pub(crate) const ASSESSMENTS_CHANGED_SINCE: &str =
    "select * from assessments where change_seq > $1 order by change_seq limit $2";

/// Four-eyes comparison: names differing only in case or surrounding space are one user.
pub(crate) fn same_user(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::InvalidValue(e.to_string()))
}

fn from_json<T: for<'de> Deserialize<'de>>(
    table: &'static str,
    column: &'static str,
    text: &str,
) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        table,
        column,
        message: e.to_string(),
    })
}

pub(crate) fn read_rule_set(row: &impl RowExt) -> Result<StoredRuleSet> {
    const T: &str = "rule_sets";
    let status = row.text("status")?;
    Ok(StoredRuleSet {
        id: row.int("id")?,
        name: row.text("name")?,
        version: row.text("version")?,
        digest: row.text("digest")?,
        files: from_json(T, "files", &row.text("files")?)?,
        status: RuleSetStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
            table: T,
            column: "status",
            message: format!("unknown status {status:?}"),
        })?,
        author: row.text("author")?,
        publisher: row.opt_text("publisher")?,
        created_at: row.text("created_at")?,
        published_at: row.opt_text("published_at")?,
        activated_at: row.opt_text("activated_at")?,
        change_seq: row.int("change_seq")?,
    })
}

pub(crate) fn read_assessment(row: &impl RowExt) -> Result<StoredAssessment> {
    const T: &str = "assessments";
    Ok(StoredAssessment {
        id: row.int("id")?,
        change_seq: row.int("change_seq")?,
        assessed_at: row.text("assessed_at")?,
        assessed_by: row.text("assessed_by")?,
        data: NewAssessment {
            application: ApplicationKey(row.int("application_key")?),
            rule_set_version: row.text("rule_set_version")?,
            digest: row.text("digest")?,
            score: row.int("score")?,
            band: row.text("band")?,
            fired_indicators: from_json(T, "fired_indicators", &row.text("fired_indicators")?)?,
            failed_hard_checks: from_json(
                T,
                "failed_hard_checks",
                &row.text("failed_hard_checks")?,
            )?,
        },
    })
}

impl<B: Dialect> SqlStore<B> {
    /// The version's row, read inside a write transaction.
    async fn rule_set_tx(
        tx: &mut Tx<B>,
        version: &str,
    ) -> std::result::Result<crate::rulesets::StoredRuleSet, crate::rulesets::RuleSetError> {
        let row = query(crate::rulesets::SELECT_RULE_SET)
            .bind(version)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| crate::rulesets::RuleSetError::NotFound(version.to_owned()))?;
        Ok(crate::rulesets::read_rule_set(&row)?)
    }
}

#[async_trait]
impl<B: Dialect> crate::rulesets::RuleSetStore for SqlStore<B> {
    async fn save_rule_set_draft(
        &self,
        draft: &crate::rulesets::NewRuleSet,
        ctx: &crate::AuditCtx,
    ) -> std::result::Result<crate::rulesets::StoredRuleSet, crate::rulesets::RuleSetError> {
        if draft.author.trim().is_empty() {
            return Err(crate::rulesets::RuleSetError::MissingUser);
        }
        let files = crate::rulesets::to_json(&draft.files)?;
        let mut tx = self.begin_write().await?;
        let id = Self::reserve(&mut tx, 1).await?;
        match Self::rule_set_tx(&mut tx, &draft.version).await {
            Ok(existing) => {
                return Err(crate::rulesets::RuleSetError::VersionTaken {
                    version: existing.version,
                    status: existing.status,
                    same_content: existing.digest == draft.digest,
                });
            }
            Err(crate::rulesets::RuleSetError::NotFound(_)) => {}
            Err(other) => return Err(other),
        }
        query(crate::rulesets::INSERT_RULE_SET)
            .bind(id)
            .bind(&draft.version)
            .bind(&draft.name)
            .bind(&draft.digest)
            .bind(&files)
            .bind(draft.author.trim())
            .bind(&ctx.at)
            .bind(id)
            .execute(&mut tx)
            .await?;
        let details =
            format!("draft {} author {} digest {}", draft.name, draft.author.trim(), draft.digest);
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::RuleSetDraft,
            "rule_set",
            Some(&draft.version),
            &details,
        )
        .await?;
        let stored = Self::rule_set_tx(&mut tx, &draft.version).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn publish_rule_set(
        &self,
        version: &str,
        ctx: &crate::AuditCtx,
    ) -> std::result::Result<crate::rulesets::StoredRuleSet, crate::rulesets::RuleSetError> {
        use crate::rulesets::{RuleSetError, RuleSetStatus};
        let by = ctx.actor.trim();
        if by.is_empty() {
            return Err(RuleSetError::MissingUser);
        }
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let current = Self::rule_set_tx(&mut tx, version).await?;
        if current.status != RuleSetStatus::Draft {
            return Err(RuleSetError::NotDraft {
                version: current.version,
                status: current.status,
            });
        }
        if crate::rulesets::same_user(&current.author, by) {
            return Err(RuleSetError::SameUser { version: current.version, user: by.to_owned() });
        }
        query(crate::rulesets::PUBLISH_RULE_SET)
            .bind(by)
            .bind(&ctx.at)
            .bind(seq)
            .bind(version)
            .execute(&mut tx)
            .await?;
        let details = format!("published by {by}; author {}", current.author);
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::RuleSetPublish,
            "rule_set",
            Some(version),
            &details,
        )
        .await?;
        let stored = Self::rule_set_tx(&mut tx, version).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn activate_rule_set(
        &self,
        version: &str,
        ctx: &crate::AuditCtx,
    ) -> std::result::Result<crate::rulesets::StoredRuleSet, crate::rulesets::RuleSetError> {
        use crate::rulesets::{RuleSetError, RuleSetStatus};
        if ctx.actor.trim().is_empty() {
            return Err(RuleSetError::MissingUser);
        }
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let current = Self::rule_set_tx(&mut tx, version).await?;
        if current.status != RuleSetStatus::Published {
            return Err(RuleSetError::NotPublished {
                version: current.version,
                status: current.status,
            });
        }
        let previous: Option<String> =
            query_scalar("select version from rule_sets where status = 'active'")
                .fetch_optional(&mut tx)
                .await?;
        // Retire first: the partial unique index allows one active row at any moment.
        query(crate::rulesets::RETIRE_ACTIVE).bind(seq).execute(&mut tx).await?;
        query(crate::rulesets::ACTIVATE_RULE_SET)
            .bind(&ctx.at)
            .bind(seq)
            .bind(version)
            .execute(&mut tx)
            .await?;
        let details = match &previous {
            Some(old) => format!("activated; retired {old}"),
            None => "activated".to_owned(),
        };
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::RuleSetActivate,
            "rule_set",
            Some(version),
            &details,
        )
        .await?;
        let stored = Self::rule_set_tx(&mut tx, version).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn list_rule_sets(&self) -> crate::Result<Vec<crate::rulesets::StoredRuleSet>> {
        let rows = query(crate::rulesets::LIST_RULE_SETS).fetch_all(self).await?;
        rows.iter().map(crate::rulesets::read_rule_set).collect()
    }

    async fn rule_set(
        &self,
        version: &str,
    ) -> crate::Result<Option<crate::rulesets::StoredRuleSet>> {
        let row =
            query(crate::rulesets::SELECT_RULE_SET).bind(version).fetch_optional(self).await?;
        row.as_ref().map(crate::rulesets::read_rule_set).transpose()
    }

    async fn active_rule_set(&self) -> crate::Result<Option<crate::rulesets::StoredRuleSet>> {
        let row = query(crate::rulesets::ACTIVE_RULE_SET).fetch_optional(self).await?;
        row.as_ref().map(crate::rulesets::read_rule_set).transpose()
    }

    async fn record_assessment(
        &self,
        assessment: &crate::rulesets::NewAssessment,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<crate::rulesets::StoredAssessment> {
        let fired = crate::rulesets::to_json(&assessment.fired_indicators)?;
        let failed = crate::rulesets::to_json(&assessment.failed_hard_checks)?;
        let mut tx = self.begin_write().await?;
        let seq = Self::reserve(&mut tx, 1).await?;
        let key = assessment.application;
        let exists: i64 = query_scalar(crate::rulesets::APPLICATION_EXISTS)
            .bind(key.0)
            .fetch_one(&mut tx)
            .await?;
        if exists == 0 {
            return Err(crate::StoreError::NotFound(format!("application {key}")));
        }
        query(crate::rulesets::INSERT_ASSESSMENT)
            .bind(seq)
            .bind(key.0)
            .bind(&assessment.rule_set_version)
            .bind(&assessment.digest)
            .bind(assessment.score)
            .bind(&assessment.band)
            .bind(&fired)
            .bind(&failed)
            .bind(&ctx.at)
            .bind(&ctx.actor)
            .bind(seq)
            .execute(&mut tx)
            .await?;
        let details = format!(
            "rule set {} score {} band {}",
            assessment.rule_set_version, assessment.score, assessment.band
        );
        let key_text = key.to_string();
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::AssessmentRecord,
            "application",
            Some(&key_text),
            &details,
        )
        .await?;
        tx.commit().await?;
        Ok(crate::rulesets::StoredAssessment {
            id: seq,
            change_seq: seq,
            assessed_at: ctx.at.clone(),
            assessed_by: ctx.actor.clone(),
            data: assessment.clone(),
        })
    }

    async fn assessments_of(
        &self,
        key: jejak_domain::ApplicationKey,
    ) -> crate::Result<Vec<crate::rulesets::StoredAssessment>> {
        let rows = query(crate::rulesets::ASSESSMENTS_OF).bind(key.0).fetch_all(self).await?;
        rows.iter().map(crate::rulesets::read_assessment).collect()
    }

    async fn assessments_changed_since(
        &self,
        since: i64,
        limit: u32,
    ) -> crate::Result<Vec<crate::rulesets::StoredAssessment>> {
        let rows = query(crate::rulesets::ASSESSMENTS_CHANGED_SINCE)
            .bind(since)
            .bind(i64::from(limit))
            .fetch_all(self)
            .await?;
        rows.iter().map(crate::rulesets::read_assessment).collect()
    }
}
