//! Safeguards around reads and uploads (issue 20): the stated purpose of a read of personal
//! data (a choice from a configured list plus free text), masking of evidence about other
//! applications for callers not examining their own office's application, per-user read
//! counting (a limit, and one audit event per bulk-read minute), and checked import uploads
//! held in the register until their owner confirms them (capped, expiring).

use std::sync::Arc;

use jejak_domain::AuditAction;
use jejak_store::{AuditCtx, NewUpload, Store, UploadCaps, UploadRefusal};
use time::Duration;

use crate::authz::{Action, Actor};
use crate::import::InputFile;
use crate::mirror::ScreenedCandidate;
use crate::search::{mask_nik, mask_phone};
use crate::{Clock, Result, ServiceError};

/// Fewest letters or digits the free text of a purpose must have ("....." is no purpose).
pub const MIN_PURPOSE_DETAIL: usize = 8;

/// The purposes a read of personal data may be made for (the configuration's
/// `[purposes] choices`), compared without case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purposes {
    choices: Vec<String>,
}

impl Default for Purposes {
    fn default() -> Self {
        Purposes::new(
            [
                "memeriksa permohonan",
                "verifikasi identitas",
                "penyelidikan TPPO/TPPM",
                "permintaan subjek data",
                "audit internal",
            ]
            .map(str::to_owned)
            .to_vec(),
        )
    }
}

/// A purpose as the caller stated it: one of the configured choices and free text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatedPurpose {
    pub choice: String,
    pub detail: String,
}

impl StatedPurpose {
    pub fn new(choice: &str, detail: &str) -> StatedPurpose {
        StatedPurpose { choice: choice.to_owned(), detail: detail.to_owned() }
    }
}

impl Purposes {
    /// A list of choices; empty entries are dropped.
    pub fn new(choices: Vec<String>) -> Purposes {
        let choices =
            choices.into_iter().map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
        Purposes { choices }
    }

    pub fn choices(&self) -> &[String] {
        &self.choices
    }

    /// The purpose as the audit log records it (`choice: detail`), or an `Invalid` error
    /// naming the field (`purpose` for the choice, `purpose_text` for the free text).
    pub fn check(&self, stated: &StatedPurpose) -> Result<String> {
        let choice = stated.choice.trim();
        let Some(choice) = self.choices.iter().find(|c| c.eq_ignore_ascii_case(choice)) else {
            return Err(ServiceError::Invalid(format!(
                "purpose: choose one of: {}",
                self.choices.join("; ")
            )));
        };
        let detail = crate::text::checked_note("purpose_text", &stated.detail)?;
        if detail.chars().filter(|c| c.is_alphanumeric()).count() < MIN_PURPOSE_DETAIL {
            return Err(ServiceError::Invalid(format!(
                "purpose_text: describe the purpose in words (at least {MIN_PURPOSE_DETAIL} letters or digits), e.g. the application or case concerned"
            )));
        }
        Ok(format!("{choice}: {detail}"))
    }
}

/// Per-user limits on reads of personal data (examinations, person records, screenings),
/// counted in the register so every server shares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Reads in one minute after which the minute is recorded as a bulk read (one audit
    /// event, `personal_data.bulk_read`).
    pub audit_after_per_minute: u32,
    /// Reads in one minute after which further reads are refused until the next minute.
    pub max_per_minute: u32,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits { audit_after_per_minute: 30, max_per_minute: 120 }
    }
}

/// Counts one read by `actor`; records the bulk-read pattern once per minute and refuses
/// reads beyond the limit (`ServiceError::TooMany`).
pub async fn note_read(
    store: &dyn Store,
    clock: &dyn Clock,
    limits: ReadLimits,
    actor: &Actor,
) -> Result<()> {
    let now = clock.timestamp();
    // "YYYY-MM-DDTHH:MM" + "Z": the minute, comparable as text.
    let minute = format!("{}Z", now.get(..16).unwrap_or(&now));
    let reads = store.count_read(&actor.username, &minute).await?;
    let reads_u32 = u32::try_from(reads).unwrap_or(u32::MAX);
    if reads_u32 > limits.audit_after_per_minute
        && store.mark_read_reported(&actor.username, &minute).await?
    {
        let ctx = actor.audit_ctx(now.clone(), None);
        let details = format!(
            "more than {} reads of personal data in the minute {minute}",
            limits.audit_after_per_minute
        );
        store
            .append_audit(
                &ctx,
                AuditAction::PersonalDataBulkRead,
                "user",
                Some(&actor.username),
                &details,
            )
            .await?;
    }
    if reads_u32 > limits.max_per_minute {
        return Err(ServiceError::TooMany(format!(
            "more than {} reads of personal data in one minute: wait for the next minute",
            limits.max_per_minute
        )));
    }
    Ok(())
}

/// The value of another application's field as a caller who is not examining an
/// application of their own office sees it: as search shows it (name, sex and birth date
/// in full, NIK and phone masked in the middle), every other identifying field withheld.
pub fn masked_value(field: &str, value: &str) -> String {
    match field {
        _ if value.is_empty() => String::new(),
        "full_name" | "sex" | "birth_date" => value.to_owned(),
        "nik" => mask_nik(value),
        "phone" | "sponsor_phone" => mask_phone(value),
        _ => "***".to_owned(),
    }
}

/// Masks the evidence of `candidates` (their values; the caller's own stay).
pub fn mask_candidates(candidates: &mut [ScreenedCandidate]) {
    for candidate in candidates {
        for evidence in &mut candidate.evidence {
            evidence.right = masked_value(&evidence.field, &evidence.right);
        }
    }
}

/// Limits on checked uploads held for confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadConfig {
    /// How long a checked upload waits for its owner's confirmation.
    pub ttl: Duration,
    /// Bytes one user may have waiting.
    pub per_user_bytes: u64,
    /// Bytes all users together may have waiting.
    pub total_bytes: u64,
}

impl Default for UploadConfig {
    fn default() -> Self {
        UploadConfig {
            ttl: Duration::minutes(30),
            per_user_bytes: 128 * 1024 * 1024,
            total_bytes: 1024 * 1024 * 1024,
        }
    }
}

/// Checked import uploads waiting in the register for their owner's confirmation (any
/// server may confirm).
pub struct HeldUploads {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: UploadConfig,
}

impl std::fmt::Debug for HeldUploads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldUploads").field("config", &self.config).finish_non_exhaustive()
    }
}

impl HeldUploads {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: UploadConfig) -> Self {
        HeldUploads { store, clock, config }
    }

    pub fn config(&self) -> &UploadConfig {
        &self.config
    }

    fn ctx(&self, actor: &Actor) -> AuditCtx {
        actor.audit_ctx(self.clock.timestamp(), None)
    }

    /// Holds checked files for `actor`; returns the one-time token that confirms them.
    pub async fn hold(&self, actor: &Actor, files: &[InputFile]) -> Result<String> {
        actor.authorize(Action::ImportApplications, Some(&actor.office))?;
        let now = self.clock.now();
        let token = crate::auth::random_secret();
        let upload = NewUpload {
            token: token.clone(),
            owner: actor.username.clone(),
            created_at: self.clock.timestamp(),
            expires_at: crate::auth::stamp(now + self.config.ttl),
        };
        let files: Vec<(String, Vec<u8>)> =
            files.iter().map(|f| (f.name.clone(), f.bytes.clone())).collect();
        let caps = UploadCaps {
            per_user_bytes: i64::try_from(self.config.per_user_bytes).unwrap_or(i64::MAX),
            total_bytes: i64::try_from(self.config.total_bytes).unwrap_or(i64::MAX),
        };
        let mb = |bytes: u64| bytes.div_ceil(1024 * 1024);
        match self.store.hold_upload(&upload, &files, caps, &self.ctx(actor)).await? {
            Ok(()) => Ok(token),
            Err(UploadRefusal::UserCap { held }) => Err(ServiceError::TooMany(format!(
                "your checked uploads waiting for confirmation hold {} MB; at most {} MB may wait per user: confirm or drop them first",
                mb(held.unsigned_abs()),
                mb(self.config.per_user_bytes)
            ))),
            Err(UploadRefusal::TotalCap { .. }) => Err(ServiceError::TooMany(format!(
                "the checked uploads of all users waiting for confirmation reach the cap of {} MB: try again later",
                mb(self.config.total_bytes)
            ))),
        }
    }

    /// Takes `actor`'s held upload `token` (once); `None` when it expired, was taken or is
    /// another user's.
    pub async fn take(&self, actor: &Actor, token: &str) -> Result<Option<Vec<InputFile>>> {
        actor.authorize(Action::ImportApplications, Some(&actor.office))?;
        let files = self.store.take_upload(token.trim(), &actor.username, &self.ctx(actor)).await?;
        Ok(files.map(|files| {
            files.into_iter().map(|(name, bytes)| InputFile { name, bytes }).collect()
        }))
    }

    /// Removes the expired uploads; returns how many.
    pub async fn purge_expired(&self) -> Result<u64> {
        let ctx = AuditCtx {
            actor: "system".into(),
            office: None,
            purpose: None,
            at: self.clock.timestamp(),
        };
        Ok(self.store.purge_expired_uploads(&ctx).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purpose_is_a_listed_choice_with_words() {
        let purposes = Purposes::default();
        let ok = StatedPurpose::new("Verifikasi identitas", "permohonan KLA-2025-0009");
        assert_eq!(purposes.check(&ok).unwrap(), "verifikasi identitas: permohonan KLA-2025-0009");
        let dots = StatedPurpose::new("verifikasi identitas", ".....");
        assert!(purposes.check(&dots).unwrap_err().to_string().contains("purpose_text"));
        let unlisted = StatedPurpose::new("penasaran", "ingin tahu saja tentang dia");
        assert!(purposes.check(&unlisted).unwrap_err().to_string().contains("purpose:"));
    }

    #[test]
    fn evidence_is_masked_as_search_masks_it() {
        assert_eq!(masked_value("nik", "1807055203950003"), "1807********0003");
        assert_eq!(masked_value("phone", "+6281234567890"), "+62812*****890");
        assert_eq!(masked_value("full_name", "Suryani"), "Suryani");
        assert_eq!(masked_value("mother_name", "Aminah"), "***");
        assert_eq!(masked_value("address", ""), "");
    }
}
