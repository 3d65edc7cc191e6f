//! Security state shared by every server on one register (migration 0013): login throttle
//! counters, per-user read counters and checked import uploads waiting for confirmation.
//! `security_impl!` implements `SecurityStore` for both backends next to `store_impl!`.
//!
//! The counters are bookkeeping, not changes to anyone's data: each is one atomic upsert
//! (`insert ... on conflict do update ... returning`), not audited, so attempts in flight
//! are counted and two servers share the count. Holding and taking an upload are register
//! writes: one transaction with a change number and an audit event each.

use async_trait::async_trait;
use jejak_domain::AuditAction;

use crate::backend::{Dialect, SqlStore, query, query_scalar};
use crate::{AuditCtx, Result};

/// A login throttle counter after counting one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleCount {
    /// Attempts in the current window, this one included (not counted while blocked).
    pub attempts: i64,
    /// Blocks this key has had since its last successful login.
    pub blocks: i64,
    /// The end of the current block, if one was set.
    pub blocked_until: Option<String>,
}

/// A checked upload to hold for its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUpload {
    pub token: String,
    pub owner: String,
    pub created_at: String,
    pub expires_at: String,
}

/// Limits on held uploads, in bytes; checked inside the transaction that holds one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadCaps {
    pub per_user_bytes: i64,
    pub total_bytes: i64,
}

/// Why an upload was not held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadRefusal {
    /// The owner's held uploads plus this one would pass the per-user cap.
    UserCap { held: i64 },
    /// All held uploads plus this one would pass the total cap.
    TotalCap { held: i64 },
}

/// Storage of login throttles, read counters and held uploads.
#[async_trait]
pub trait SecurityStore: Send + Sync {
    /// Counts one login attempt for `key` at `now`. A window that started at or before
    /// `window_cutoff` starts again at `now`; while blocked (`blocked_until` > `now`) nothing
    /// is counted.
    async fn count_login_attempt(
        &self,
        key: &str,
        now: &str,
        window_cutoff: &str,
    ) -> Result<ThrottleCount>;

    /// Blocks `key` until `until` unless it is already blocked at `now` (so concurrent
    /// attempts set one block); the window starts again. Returns whether this call blocked.
    async fn block_login_key(&self, key: &str, now: &str, until: &str) -> Result<bool>;

    /// A successful login: forgets `key`'s attempts and blocks.
    async fn clear_login_key(&self, key: &str) -> Result<()>;

    /// Takes back one counted attempt of `key` (a successful login counted against a shared
    /// key such as an address).
    async fn uncount_login_attempt(&self, key: &str) -> Result<()>;

    /// Counts one read of personal data by `username` in `minute`; returns the reads in that
    /// minute, this one included.
    async fn count_read(&self, username: &str, minute: &str) -> Result<i64>;

    /// Marks `minute` of `username` as reported; true only for the first caller (one audit
    /// event per bulk-read minute, whichever server sees it).
    async fn mark_read_reported(&self, username: &str, minute: &str) -> Result<bool>;

    /// Holds a checked upload after removing expired ones (`ctx.at` is now), unless the caps
    /// would be passed; one transaction with an audit event.
    async fn hold_upload(
        &self,
        upload: &NewUpload,
        files: &[(String, Vec<u8>)],
        caps: UploadCaps,
        ctx: &AuditCtx,
    ) -> Result<std::result::Result<(), UploadRefusal>>;

    /// Takes (removes and returns) `owner`'s unexpired upload `token`; `None` when there is
    /// no such upload (expired, taken, or another user's).
    async fn take_upload(
        &self,
        token: &str,
        owner: &str,
        ctx: &AuditCtx,
    ) -> Result<Option<Vec<(String, Vec<u8>)>>>;

    /// Removes the uploads expired at `ctx.at` (audited when there were any); returns how
    /// many.
    async fn purge_expired_uploads(&self, ctx: &AuditCtx) -> Result<u64>;
}

pub(crate) const COUNT_ATTEMPT: &str = "insert into login_throttle (throttle_key, attempts, window_start, blocks, blocked_until) values ($1, 1, $2, 0, null) on conflict (throttle_key) do update set attempts = case when login_throttle.blocked_until is not null and login_throttle.blocked_until > $2 then login_throttle.attempts when login_throttle.window_start <= $3 then 1 else login_throttle.attempts + 1 end, window_start = case when login_throttle.blocked_until is not null and login_throttle.blocked_until > $2 then login_throttle.window_start when login_throttle.window_start <= $3 then $2 else login_throttle.window_start end returning attempts, blocks, blocked_until";
pub(crate) const OLD_THROTTLES: &str = "delete from login_throttle where window_start < $1 and (blocked_until is null or blocked_until < $1)";
pub(crate) const BLOCK_KEY: &str = "update login_throttle set blocked_until = $1, blocks = blocks + 1, attempts = 0, window_start = $2 where throttle_key = $3 and (blocked_until is null or blocked_until <= $2)";
pub(crate) const CLEAR_KEY: &str = "delete from login_throttle where throttle_key = $1";
pub(crate) const UNCOUNT: &str =
    "update login_throttle set attempts = attempts - 1 where throttle_key = $1 and attempts > 0";
pub(crate) const COUNT_READ: &str = "insert into read_counts (username, minute, reads, reported) values ($1, $2, 1, 0) on conflict (username, minute) do update set reads = read_counts.reads + 1 returning reads";
pub(crate) const MARK_REPORTED: &str =
    "update read_counts set reported = 1 where username = $1 and minute = $2 and reported = 0";
pub(crate) const OLD_READS: &str = "delete from read_counts where minute < $1";
pub(crate) const EXPIRED_FILES: &str = "delete from pending_upload_files where token in (select token from pending_uploads where expires_at <= $1)";
pub(crate) const EXPIRED_UPLOADS: &str = "delete from pending_uploads where expires_at <= $1";
pub(crate) const HELD_BY: &str =
    "select cast(coalesce(sum(size_bytes), 0) as bigint) from pending_uploads where owner = $1";
pub(crate) const HELD_TOTAL: &str =
    "select cast(coalesce(sum(size_bytes), 0) as bigint) from pending_uploads";
pub(crate) const INSERT_UPLOAD: &str = "insert into pending_uploads (token, owner, size_bytes, created_at, expires_at) values ($1, $2, $3, $4, $5)";
pub(crate) const INSERT_UPLOAD_FILE: &str =
    "insert into pending_upload_files (token, position, name, content) values ($1, $2, $3, $4)";
pub(crate) const FIND_UPLOAD: &str =
    "select size_bytes from pending_uploads where token = $1 and owner = $2 and expires_at > $3";
pub(crate) const UPLOAD_FILES: &str =
    "select name, content from pending_upload_files where token = $1 order by position";
pub(crate) const DELETE_UPLOAD_FILES: &str = "delete from pending_upload_files where token = $1";
pub(crate) const DELETE_UPLOAD: &str = "delete from pending_uploads where token = $1";

#[async_trait]
impl<B: Dialect> crate::security::SecurityStore for SqlStore<B> {
    async fn count_login_attempt(
        &self,
        key: &str,
        now: &str,
        window_cutoff: &str,
    ) -> crate::Result<crate::security::ThrottleCount> {
        use crate::codec::RowExt;
        let row = query(crate::security::COUNT_ATTEMPT)
            .bind(key)
            .bind(now)
            .bind(window_cutoff)
            .fetch_one(self)
            .await?;
        let count = crate::security::ThrottleCount {
            attempts: row.int("attempts")?,
            blocks: row.int("blocks")?,
            blocked_until: row.opt_text("blocked_until")?,
        };
        if count.attempts == 1 {
            // A new window: counters idle for a day are forgotten (their blocks too).
            query(crate::security::OLD_THROTTLES)
                .bind(crate::security::day_before(now))
                .execute(self)
                .await?;
        }
        Ok(count)
    }

    async fn block_login_key(&self, key: &str, now: &str, until: &str) -> crate::Result<bool> {
        let done = query(crate::security::BLOCK_KEY)
            .bind(until)
            .bind(now)
            .bind(key)
            .execute(self)
            .await?
            .rows_affected();
        Ok(done == 1)
    }

    async fn clear_login_key(&self, key: &str) -> crate::Result<()> {
        query(crate::security::CLEAR_KEY).bind(key).execute(self).await?;
        Ok(())
    }

    async fn uncount_login_attempt(&self, key: &str) -> crate::Result<()> {
        query(crate::security::UNCOUNT).bind(key).execute(self).await?;
        Ok(())
    }

    async fn count_read(&self, username: &str, minute: &str) -> crate::Result<i64> {
        let reads: i64 = query_scalar(crate::security::COUNT_READ)
            .bind(username)
            .bind(minute)
            .fetch_one(self)
            .await?;
        if reads == 1 {
            // A new minute: counters older than a day are no longer needed.
            let day_before = crate::security::day_before(minute);
            query(crate::security::OLD_READS).bind(day_before).execute(self).await?;
        }
        Ok(reads)
    }

    async fn mark_read_reported(&self, username: &str, minute: &str) -> crate::Result<bool> {
        let done = query(crate::security::MARK_REPORTED)
            .bind(username)
            .bind(minute)
            .execute(self)
            .await?
            .rows_affected();
        Ok(done == 1)
    }

    async fn hold_upload(
        &self,
        upload: &crate::security::NewUpload,
        files: &[(String, Vec<u8>)],
        caps: crate::security::UploadCaps,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<std::result::Result<(), crate::security::UploadRefusal>> {
        use crate::security::UploadRefusal;
        let size: i64 = files.iter().map(|(_, bytes)| bytes.len() as i64).sum::<i64>().max(0);
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        for sql in [crate::security::EXPIRED_FILES, crate::security::EXPIRED_UPLOADS] {
            query(sql).bind(&ctx.at).execute(&mut tx).await?;
        }
        let by_user: i64 =
            query_scalar(crate::security::HELD_BY).bind(&upload.owner).fetch_one(&mut tx).await?;
        let total: i64 = query_scalar(crate::security::HELD_TOTAL).fetch_one(&mut tx).await?;
        let refusal = if by_user + size > caps.per_user_bytes {
            Some(UploadRefusal::UserCap { held: by_user })
        } else if total + size > caps.total_bytes {
            Some(UploadRefusal::TotalCap { held: total })
        } else {
            None
        };
        if let Some(refusal) = refusal {
            // The expired uploads stay removed.
            tx.commit().await?;
            return Ok(Err(refusal));
        }
        query(crate::security::INSERT_UPLOAD)
            .bind(&upload.token)
            .bind(&upload.owner)
            .bind(size)
            .bind(&upload.created_at)
            .bind(&upload.expires_at)
            .execute(&mut tx)
            .await?;
        for (position, (name, bytes)) in files.iter().enumerate() {
            query(crate::security::INSERT_UPLOAD_FILE)
                .bind(&upload.token)
                .bind(position as i64)
                .bind(name)
                .bind(bytes.as_slice())
                .execute(&mut tx)
                .await?;
        }
        let details = format!("{} file(s), {size} bytes, until {}", files.len(), upload.expires_at);
        Self::audit_tx(&mut tx, ctx, AuditAction::ImportHeld, "upload", None, &details).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    async fn take_upload(
        &self,
        token: &str,
        owner: &str,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<Option<Vec<(String, Vec<u8>)>>> {
        use crate::codec::RowExt;
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        let found: Option<i64> = query_scalar(crate::security::FIND_UPLOAD)
            .bind(token)
            .bind(owner)
            .bind(&ctx.at)
            .fetch_optional(&mut tx)
            .await?;
        let Some(size) = found else {
            tx.rollback().await?;
            return Ok(None);
        };
        let rows = query(crate::security::UPLOAD_FILES).bind(token).fetch_all(&mut tx).await?;
        let mut files = Vec::with_capacity(rows.len());
        for row in &rows {
            let name = row.text("name")?;
            let content = row.bytes("content")?;
            files.push((name, content));
        }
        for sql in [crate::security::DELETE_UPLOAD_FILES, crate::security::DELETE_UPLOAD] {
            query(sql).bind(token).execute(&mut tx).await?;
        }
        let details = format!("{} file(s), {size} bytes", files.len());
        Self::audit_tx(&mut tx, ctx, AuditAction::ImportUploadTaken, "upload", None, &details)
            .await?;
        tx.commit().await?;
        Ok(Some(files))
    }

    async fn purge_expired_uploads(&self, ctx: &crate::AuditCtx) -> crate::Result<u64> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        query(crate::security::EXPIRED_FILES).bind(&ctx.at).execute(&mut tx).await?;
        let removed = query(crate::security::EXPIRED_UPLOADS)
            .bind(&ctx.at)
            .execute(&mut tx)
            .await?
            .rows_affected();
        if removed == 0 {
            tx.rollback().await?;
            return Ok(0);
        }
        let details = format!("{removed} expired upload(s) removed");
        Self::audit_tx(&mut tx, ctx, AuditAction::ImportExpired, "upload", None, &details).await?;
        tx.commit().await?;
        Ok(removed)
    }
}

/// The minute (or timestamp) one day before `minute` (`YYYY-MM-DDTHH:MM...` text compares in
/// time order); an unparsable one gives itself (nothing older is removed wrongly).
pub(crate) fn day_before(minute: &str) -> String {
    let Some(date) = minute.get(..10).and_then(|d| jejak_domain::date::parse_date(d).ok()) else {
        return minute.to_owned();
    };
    let previous = date - time::Duration::days(1);
    format!("{}{}", jejak_domain::date::iso(previous), minute.get(10..).unwrap_or(""))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_day_before_a_minute() {
        assert_eq!(super::day_before("2025-03-01T08:15Z"), "2025-02-28T08:15Z");
        assert_eq!(super::day_before("bad"), "bad");
    }
}
