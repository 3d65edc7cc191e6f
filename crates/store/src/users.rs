//! Users, login sessions and API tokens: the `UserStore` trait, its SQL and `user_impl!`,
//! which implements it for both backends like `store_impl!` does for `Store`.
//!
//! Passwords arrive already hashed (Argon2id, by the service); sessions and tokens are kept
//! only as SHA-256 hashes of their secrets. No secret or hash ever goes into the audit log.
//! Bookkeeping of when a session or token was last used is not audited (it is not a change
//! to anyone's data and would write an audit event per request).

use std::fmt;

use async_trait::async_trait;
use jejak_domain::{AuditAction, OfficeCode};

use crate::backend::{Dialect, SqlStore, query, query_scalar};
use crate::codec::RowExt;
use crate::{AuditCtx, Result};

/// A user to create.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// Role name as `service::authz::Role::as_str` gives it.
    pub role: String,
    pub office: OfficeCode,
    /// Argon2id PHC string.
    pub password_hash: String,
    pub created_at: String,
}

/// A stored user.
#[derive(Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub office: OfficeCode,
    pub password_hash: String,
    pub active: bool,
    /// Failed logins since the last success or lock.
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub created_at: String,
    pub password_changed_at: String,
}

/// A login session to create.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    /// SHA-256 (hex) of the session token; the token itself is only in the user's cookie.
    pub token_hash: String,
    pub username: String,
    pub csrf_token: String,
    pub client_addr: Option<String>,
    pub created_at: String,
    /// The absolute end of the session.
    pub expires_at: String,
}

/// A stored login session.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub token_hash: String,
    pub username: String,
    pub csrf_token: String,
    pub client_addr: Option<String>,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
}

/// An API token to create.
#[derive(Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub name: String,
    /// SHA-256 (hex) of the secret, which is shown once and never stored.
    pub token_hash: String,
    pub role: String,
    /// Action names the token is limited to.
    pub scopes: Vec<String>,
    pub office: OfficeCode,
    pub created_by: String,
    pub created_at: String,
    /// When the token stops working (`None`: until revoked).
    pub expires_at: Option<String>,
}

/// A stored API token.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiTokenRecord {
    pub name: String,
    pub token_hash: String,
    pub role: String,
    pub scopes: Vec<String>,
    pub office: OfficeCode,
    pub created_by: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
}

/// A login throttle key that is blocked now (`login:USER@ADDRESS` or `addr:ADDRESS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedLogin {
    pub key: String,
    pub blocked_until: String,
}

// Debug output leaves the hashes and the CSRF token out, so they never reach a log.
impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("username", &self.username)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("office", &self.office)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserRecord")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("office", &self.office)
            .field("active", &self.active)
            .field("failed_logins", &self.failed_logins)
            .field("locked_until", &self.locked_until)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for NewSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSession")
            .field("username", &self.username)
            .field("client_addr", &self.client_addr)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for SessionRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRecord")
            .field("username", &self.username)
            .field("client_addr", &self.client_addr)
            .field("created_at", &self.created_at)
            .field("last_seen_at", &self.last_seen_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for NewApiToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewApiToken")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("scopes", &self.scopes)
            .field("office", &self.office)
            .field("created_by", &self.created_by)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ApiTokenRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiTokenRecord")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("scopes", &self.scopes)
            .field("office", &self.office)
            .field("revoked_at", &self.revoked_at)
            .field("last_used_at", &self.last_used_at)
            .finish_non_exhaustive()
    }
}

/// Storage of users, sessions and API tokens; both backends pass one contract suite.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates a user; `StoreError::Conflict` if the username is taken.
    async fn insert_user(&self, user: &NewUser, ctx: &AuditCtx) -> Result<()>;

    async fn get_user(&self, username: &str) -> Result<Option<UserRecord>>;

    /// Users in username order.
    async fn list_users(&self) -> Result<Vec<UserRecord>>;

    /// Activates or disables a user; disabling ends the user's sessions.
    async fn set_user_active(&self, username: &str, active: bool, ctx: &AuditCtx) -> Result<()>;

    /// Replaces the password hash and ends the user's sessions.
    async fn set_password(&self, username: &str, password_hash: &str, ctx: &AuditCtx)
    -> Result<()>;

    /// Counts a failed login. When the count reaches `lock_after`, the account is locked
    /// until `lock_until` and the count starts again; returns the lock's end if it locked.
    async fn record_failed_login(
        &self,
        username: &str,
        lock_after: i64,
        lock_until: &str,
        ctx: &AuditCtx,
    ) -> Result<Option<String>>;

    /// Starts a session after a successful login (clearing failed logins and any lock).
    async fn create_session(&self, session: &NewSession, ctx: &AuditCtx) -> Result<()>;

    async fn get_session(&self, token_hash: &str) -> Result<Option<SessionRecord>>;

    /// Notes that the session was used at `at` (not audited).
    async fn touch_session(&self, token_hash: &str, at: &str) -> Result<()>;

    /// Ends a session (logout or expiry); `action` names why in the audit log.
    async fn delete_session(
        &self,
        token_hash: &str,
        action: AuditAction,
        ctx: &AuditCtx,
    ) -> Result<()>;

    /// Creates an API token; `StoreError::Conflict` if the name is taken.
    async fn insert_token(&self, token: &NewApiToken, ctx: &AuditCtx) -> Result<()>;

    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<ApiTokenRecord>>;

    /// Tokens in name order, revoked ones included.
    async fn list_tokens(&self) -> Result<Vec<ApiTokenRecord>>;

    /// Revokes a token at `ctx.at`; `StoreError::NotFound` if there is no such active token.
    async fn revoke_token(&self, name: &str, ctx: &AuditCtx) -> Result<()>;

    /// Notes that the token was used at `at` (not audited).
    async fn touch_token(&self, name: &str, at: &str) -> Result<()>;

    /// Changes a user's role and office (audited); their sessions act under the new role
    /// from their next request.
    async fn set_user_role(
        &self,
        username: &str,
        role: &str,
        office: &OfficeCode,
        ctx: &AuditCtx,
    ) -> Result<()>;

    /// Lets a user log in again at once: forgets the login throttle keys of the username
    /// (from every address) and any old lock; audited. Returns how many keys were cleared.
    async fn unlock_user(&self, username: &str, ctx: &AuditCtx) -> Result<u64>;

    /// Throttle keys blocked at `now`, in key order.
    async fn blocked_logins(&self, now: &str) -> Result<Vec<BlockedLogin>>;
}

pub(crate) const INSERT_USER: &str = "insert into users (username, display_name, role, office_code, password_hash, active, failed_logins, locked_until, created_at, password_changed_at) values ($1, $2, $3, $4, $5, 1, 0, null, $6, $6)";
pub(crate) const SELECT_USER: &str = "select * from users where username = $1";
pub(crate) const LIST_USERS: &str = "select * from users order by username";
pub(crate) const SET_ACTIVE: &str = "update users set active = $1 where username = $2";
pub(crate) const SET_PASSWORD: &str = "update users set password_hash = $1, password_changed_at = $2, failed_logins = 0, locked_until = null where username = $3";
pub(crate) const COUNT_FAILURE: &str = "update users set failed_logins = failed_logins + 1 where username = $1 returning failed_logins";
pub(crate) const LOCK_USER: &str =
    "update users set failed_logins = 0, locked_until = $1 where username = $2";
pub(crate) const CLEAR_FAILURES: &str =
    "update users set failed_logins = 0, locked_until = null where username = $1";
pub(crate) const DELETE_SESSIONS_OF: &str = "delete from sessions where username = $1";
pub(crate) const INSERT_SESSION: &str = "insert into sessions (token_hash, username, csrf_token, client_addr, created_at, last_seen_at, expires_at) values ($1, $2, $3, $4, $5, $5, $6)";
pub(crate) const SELECT_SESSION: &str = "select * from sessions where token_hash = $1";
pub(crate) const TOUCH_SESSION: &str =
    "update sessions set last_seen_at = $1 where token_hash = $2";
pub(crate) const DELETE_SESSION: &str =
    "delete from sessions where token_hash = $1 returning username";
pub(crate) const INSERT_TOKEN: &str = "insert into api_tokens (name, token_hash, role, scopes, office_code, created_by, created_at, revoked_at, last_used_at, expires_at) values ($1, $2, $3, $4, $5, $6, $7, null, null, $8)";
pub(crate) const SET_ROLE: &str =
    "update users set role = $1, office_code = $2 where username = $3 returning display_name";
pub(crate) const UNLOCK_KEYS: &str =
    "delete from login_throttle where substr(throttle_key, 1, length($1)) = $1";
pub(crate) const BLOCKED_KEYS: &str = "select throttle_key, blocked_until from login_throttle where blocked_until is not null and blocked_until > $1 order by throttle_key";
pub(crate) const TOKEN_NAME_TAKEN: &str = "select name from api_tokens where name = $1";
pub(crate) const SELECT_TOKEN: &str = "select * from api_tokens where token_hash = $1";
pub(crate) const LIST_TOKENS: &str = "select * from api_tokens order by name";
pub(crate) const REVOKE_TOKEN: &str =
    "update api_tokens set revoked_at = $1 where name = $2 and revoked_at is null";
pub(crate) const TOUCH_TOKEN: &str = "update api_tokens set last_used_at = $1 where name = $2";

fn office(table: &'static str, code: String) -> Result<OfficeCode> {
    OfficeCode::parse(&code).map_err(|e| crate::StoreError::Corrupt {
        table,
        column: "office_code",
        message: e.to_string(),
    })
}

pub(crate) fn read_user(row: &impl RowExt) -> Result<UserRecord> {
    Ok(UserRecord {
        username: row.text("username")?,
        display_name: row.text("display_name")?,
        role: row.text("role")?,
        office: office("users", row.text("office_code")?)?,
        password_hash: row.text("password_hash")?,
        active: row.int("active")? == 1,
        failed_logins: row.int("failed_logins")?,
        locked_until: row.opt_text("locked_until")?,
        created_at: row.text("created_at")?,
        password_changed_at: row.text("password_changed_at")?,
    })
}

pub(crate) fn read_session(row: &impl RowExt) -> Result<SessionRecord> {
    Ok(SessionRecord {
        token_hash: row.text("token_hash")?,
        username: row.text("username")?,
        csrf_token: row.text("csrf_token")?,
        client_addr: row.opt_text("client_addr")?,
        created_at: row.text("created_at")?,
        last_seen_at: row.text("last_seen_at")?,
        expires_at: row.text("expires_at")?,
    })
}

pub(crate) fn read_token(row: &impl RowExt) -> Result<ApiTokenRecord> {
    let scopes = row.text("scopes")?;
    Ok(ApiTokenRecord {
        name: row.text("name")?,
        token_hash: row.text("token_hash")?,
        role: row.text("role")?,
        scopes: scopes.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        office: office("api_tokens", row.text("office_code")?)?,
        created_by: row.text("created_by")?,
        created_at: row.text("created_at")?,
        revoked_at: row.opt_text("revoked_at")?,
        last_used_at: row.opt_text("last_used_at")?,
        expires_at: row.opt_text("expires_at")?,
    })
}

#[async_trait]
impl<B: Dialect> crate::users::UserStore for SqlStore<B> {
    async fn insert_user(
        &self,
        user: &crate::users::NewUser,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        let taken =
            query(crate::users::SELECT_USER).bind(&user.username).fetch_optional(&mut tx).await?;
        if taken.is_some() {
            tx.rollback().await?;
            return Err(crate::StoreError::Conflict(format!(
                "user {} already exists",
                user.username
            )));
        }
        query(crate::users::INSERT_USER)
            .bind(&user.username)
            .bind(&user.display_name)
            .bind(&user.role)
            .bind(user.office.as_str())
            .bind(&user.password_hash)
            .bind(&user.created_at)
            .execute(&mut tx)
            .await?;
        let details = format!("{} ({}) at {}", user.display_name, user.role, user.office);
        Self::audit_tx(&mut tx, ctx, AuditAction::UserAdd, "user", Some(&user.username), &details)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_user(&self, username: &str) -> crate::Result<Option<crate::users::UserRecord>> {
        let row = query(crate::users::SELECT_USER).bind(username).fetch_optional(self).await?;
        row.as_ref().map(crate::users::read_user).transpose()
    }

    async fn list_users(&self) -> crate::Result<Vec<crate::users::UserRecord>> {
        let rows = query(crate::users::LIST_USERS).fetch_all(self).await?;
        rows.iter().map(crate::users::read_user).collect()
    }

    async fn set_user_active(
        &self,
        username: &str,
        active: bool,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        let updated = query(crate::users::SET_ACTIVE)
            .bind(i64::from(active))
            .bind(username)
            .execute(&mut tx)
            .await?
            .rows_affected();
        if updated == 0 {
            tx.rollback().await?;
            return Err(crate::StoreError::NotFound(format!("user {username}")));
        }
        if !active {
            query(crate::users::DELETE_SESSIONS_OF).bind(username).execute(&mut tx).await?;
        }
        let action = if active { AuditAction::UserEnable } else { AuditAction::UserDisable };
        Self::audit_tx(&mut tx, ctx, action, "user", Some(username), "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_password(
        &self,
        username: &str,
        password_hash: &str,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        let updated = query(crate::users::SET_PASSWORD)
            .bind(password_hash)
            .bind(&ctx.at)
            .bind(username)
            .execute(&mut tx)
            .await?
            .rows_affected();
        if updated == 0 {
            tx.rollback().await?;
            return Err(crate::StoreError::NotFound(format!("user {username}")));
        }
        query(crate::users::DELETE_SESSIONS_OF).bind(username).execute(&mut tx).await?;
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::UserPassword,
            "user",
            Some(username),
            "password changed; sessions ended",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_failed_login(
        &self,
        username: &str,
        lock_after: i64,
        lock_until: &str,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<Option<String>> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        let count: Option<i64> = query_scalar(crate::users::COUNT_FAILURE)
            .bind(username)
            .fetch_optional(&mut tx)
            .await?;
        let Some(count) = count else {
            tx.rollback().await?;
            return Err(crate::StoreError::NotFound(format!("user {username}")));
        };
        let locked = count >= lock_after;
        if locked {
            query(crate::users::LOCK_USER).bind(lock_until).bind(username).execute(&mut tx).await?;
            let details = format!("{count} failed logins; locked until {lock_until}");
            Self::audit_tx(&mut tx, ctx, AuditAction::UserLock, "user", Some(username), &details)
                .await?;
        } else {
            let details = format!("failed login {count}");
            Self::audit_tx(
                &mut tx,
                ctx,
                AuditAction::UserLoginFailed,
                "user",
                Some(username),
                &details,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(locked.then(|| lock_until.to_owned()))
    }

    async fn create_session(
        &self,
        session: &crate::users::NewSession,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        query(crate::users::CLEAR_FAILURES).bind(&session.username).execute(&mut tx).await?;
        query(crate::users::INSERT_SESSION)
            .bind(&session.token_hash)
            .bind(&session.username)
            .bind(&session.csrf_token)
            .bind(&session.client_addr)
            .bind(&session.created_at)
            .bind(&session.expires_at)
            .execute(&mut tx)
            .await?;
        let details = match &session.client_addr {
            Some(addr) => format!("from {addr}"),
            None => String::new(),
        };
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::UserLogin,
            "user",
            Some(&session.username),
            &details,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_session(
        &self,
        token_hash: &str,
    ) -> crate::Result<Option<crate::users::SessionRecord>> {
        let row = query(crate::users::SELECT_SESSION).bind(token_hash).fetch_optional(self).await?;
        row.as_ref().map(crate::users::read_session).transpose()
    }

    async fn touch_session(&self, token_hash: &str, at: &str) -> crate::Result<()> {
        query(crate::users::TOUCH_SESSION).bind(at).bind(token_hash).execute(self).await?;
        Ok(())
    }

    async fn delete_session(
        &self,
        token_hash: &str,
        action: AuditAction,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        let user: Option<String> = query_scalar(crate::users::DELETE_SESSION)
            .bind(token_hash)
            .fetch_optional(&mut tx)
            .await?;
        let Some(user) = user else {
            // Already gone (a second logout): nothing changed, nothing to record.
            tx.rollback().await?;
            return Ok(());
        };
        Self::audit_tx(&mut tx, ctx, action, "user", Some(&user), "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_token(
        &self,
        token: &crate::users::NewApiToken,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        let taken: Option<String> = query_scalar(crate::users::TOKEN_NAME_TAKEN)
            .bind(&token.name)
            .fetch_optional(&mut tx)
            .await?;
        if taken.is_some() {
            tx.rollback().await?;
            return Err(crate::StoreError::Conflict(format!(
                "API token {} already exists",
                token.name
            )));
        }
        let scopes = token.scopes.join(",");
        query(crate::users::INSERT_TOKEN)
            .bind(&token.name)
            .bind(&token.token_hash)
            .bind(&token.role)
            .bind(&scopes)
            .bind(token.office.as_str())
            .bind(&token.created_by)
            .bind(&token.created_at)
            .bind(&token.expires_at)
            .execute(&mut tx)
            .await?;
        let mut details = format!("{} at {}: {scopes}", token.role, token.office);
        if let Some(until) = &token.expires_at {
            details.push_str(&format!("; expires {until}"));
        }
        Self::audit_tx(
            &mut tx,
            ctx,
            AuditAction::TokenAdd,
            "api_token",
            Some(&token.name),
            &details,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn token_by_hash(
        &self,
        token_hash: &str,
    ) -> crate::Result<Option<crate::users::ApiTokenRecord>> {
        let row = query(crate::users::SELECT_TOKEN).bind(token_hash).fetch_optional(self).await?;
        row.as_ref().map(crate::users::read_token).transpose()
    }

    async fn list_tokens(&self) -> crate::Result<Vec<crate::users::ApiTokenRecord>> {
        let rows = query(crate::users::LIST_TOKENS).fetch_all(self).await?;
        rows.iter().map(crate::users::read_token).collect()
    }

    async fn revoke_token(&self, name: &str, ctx: &crate::AuditCtx) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        let updated = query(crate::users::REVOKE_TOKEN)
            .bind(&ctx.at)
            .bind(name)
            .execute(&mut tx)
            .await?
            .rows_affected();
        if updated == 0 {
            tx.rollback().await?;
            return Err(crate::StoreError::NotFound(format!("active API token {name}")));
        }
        Self::audit_tx(&mut tx, ctx, AuditAction::TokenRevoke, "api_token", Some(name), "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn touch_token(&self, name: &str, at: &str) -> crate::Result<()> {
        query(crate::users::TOUCH_TOKEN).bind(at).bind(name).execute(self).await?;
        Ok(())
    }

    async fn set_user_role(
        &self,
        username: &str,
        role: &str,
        office: &jejak_domain::OfficeCode,
        ctx: &crate::AuditCtx,
    ) -> crate::Result<()> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        let updated: Option<String> = query_scalar(crate::users::SET_ROLE)
            .bind(role)
            .bind(office.as_str())
            .bind(username)
            .fetch_optional(&mut tx)
            .await?;
        if updated.is_none() {
            tx.rollback().await?;
            return Err(crate::StoreError::NotFound(format!("user {username}")));
        }
        let details = format!("{role} at {office}");
        Self::audit_tx(&mut tx, ctx, AuditAction::UserRole, "user", Some(username), &details)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn unlock_user(&self, username: &str, ctx: &crate::AuditCtx) -> crate::Result<u64> {
        let mut tx = self.begin_write().await?;
        Self::reserve(&mut tx, 1).await?;
        let found = query(crate::users::CLEAR_FAILURES)
            .bind(username)
            .execute(&mut tx)
            .await?
            .rows_affected();
        if found == 0 {
            tx.rollback().await?;
            return Err(crate::StoreError::NotFound(format!("user {username}")));
        }
        let cleared = query(crate::users::UNLOCK_KEYS)
            .bind(format!("login:{username}@"))
            .execute(&mut tx)
            .await?
            .rows_affected();
        let details = format!("{cleared} login throttle key(s) cleared");
        Self::audit_tx(&mut tx, ctx, AuditAction::UserUnlock, "user", Some(username), &details)
            .await?;
        tx.commit().await?;
        Ok(cleared)
    }

    async fn blocked_logins(&self, now: &str) -> crate::Result<Vec<crate::users::BlockedLogin>> {
        use crate::codec::RowExt;
        let rows = query(crate::users::BLOCKED_KEYS).bind(now).fetch_all(self).await?;
        rows.iter()
            .map(|row| {
                Ok(crate::users::BlockedLogin {
                    key: row.text("throttle_key")?,
                    blocked_until: row.text("blocked_until")?,
                })
            })
            .collect()
    }
}
