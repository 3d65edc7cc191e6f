//! Authentication: users with Argon2id passwords, login sessions, API tokens for partner
//! systems. Turns a password, a session token or an API token into an `Actor` that
//! `authz` then checks.
//!
//! Secrets (session tokens, API tokens) are 256 random bits, base64url-encoded, shown to
//! their holder once and stored only as SHA-256 hashes. Password hashes use Argon2id with
//! m = 19 MiB, t = 2, p = 1 (the OWASP minimum for Argon2id), a 16-byte random salt, PHC
//! string format, so stronger parameters can be introduced later without a migration.

use std::fmt;
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jejak_domain::{AuditAction, OfficeCode};
use jejak_store::{ApiTokenRecord, AuditCtx, NewApiToken, NewSession, NewUser, Store, UserRecord};
use rand::RngCore;
use sha2::{Digest, Sha256};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use crate::authz::{Action, Actor, Credential, Role, permission};
use crate::token_cache::TokenCache;
use crate::{Clock, Result, ServiceError};

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in bytes (hashing cost is bounded).
const MAX_PASSWORD_BYTES: usize = 1024;
/// Prefix of API token secrets, so a leaked one is recognisable in logs and scanners.
const TOKEN_PREFIX: &str = "jejak_";
/// Sessions and tokens record their last use at most this often (one write per minute, not
/// one per request).
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Login throttling and session lifetimes.
///
/// Throttling slows clients down instead of locking accounts: attempts are counted per
/// username and client address together (so an attacker elsewhere cannot lock the owner
/// out) and per client address alone (password spraying); a key past its limit is blocked
/// for `first_block`, doubling with each further block up to `max_block`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthConfig {
    /// Login attempts for one username from one client address per window.
    pub attempts_per_client: u32,
    /// Login attempts from one client address (any usernames) per window.
    pub attempts_per_address: u32,
    /// The window attempts are counted in.
    pub attempt_window: Duration,
    /// The first block of a key past its limit.
    pub first_block: Duration,
    /// The longest block.
    pub max_block: Duration,
    /// A session unused this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after login, used or not.
    pub absolute_timeout: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            attempts_per_client: 5,
            attempts_per_address: 50,
            attempt_window: Duration::minutes(15),
            first_block: Duration::minutes(1),
            max_block: Duration::hours(1),
            idle_timeout: Duration::minutes(30),
            absolute_timeout: Duration::hours(12),
        }
    }
}

/// A user to create; the password is hashed before anything is stored.
#[derive(Clone)]
pub struct NewUserInput {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub office: OfficeCode,
    pub password: String,
}

/// What a successful login gives: the session token for the cookie (only here, never
/// stored), its CSRF token and who logged in.
#[derive(Clone)]
pub struct LoginSession {
    pub token: String,
    pub csrf: String,
    pub actor: Actor,
}

/// The actor behind a valid session, with the session's CSRF token.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionActor {
    pub actor: Actor,
    pub csrf: String,
}

impl fmt::Debug for LoginSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginSession").field("actor", &self.actor).finish_non_exhaustive()
    }
}

impl fmt::Debug for SessionActor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionActor").field("actor", &self.actor).finish_non_exhaustive()
    }
}

/// Why a login failed. Unknown user, wrong password and disabled account are one case, so
/// the answer does not tell which usernames exist.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("wrong username or password")]
    BadCredentials,
    /// Too many attempts from this client; no password is checked until then. Answered
    /// exactly as `BadCredentials`.
    #[error("too many login attempts: try again after {}", stamp(*until))]
    Throttled { until: OffsetDateTime },
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<jejak_store::StoreError> for LoginError {
    fn from(e: jejak_store::StoreError) -> Self {
        LoginError::Service(e.into())
    }
}

/// A user as administrators see it (no password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub office: OfficeCode,
    pub active: bool,
    pub locked_until: Option<String>,
    pub created_at: String,
    pub password_changed_at: String,
}

/// An API token as administrators see it (no secret, no hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub name: String,
    pub role: Role,
    pub scopes: Vec<Action>,
    pub office: OfficeCode,
    pub created_by: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
    /// When the token stops working (`None`: until revoked).
    pub expires_at: Option<String>,
}

/// A login throttle key blocked now, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginBlock {
    /// The username whose logins from one address are blocked (`None`: a whole address).
    pub username: Option<String>,
    pub address: String,
    pub blocked_until: String,
}

/// Users, sessions and tokens over the store.
pub struct Auth {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: AuthConfig,
    /// Verified for unknown usernames so they take as long as wrong passwords.
    dummy_hash: String,
    tokens: TokenCache,
}

impl Auth {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: AuthConfig) -> Result<Auth> {
        let dummy_hash = hash_password(&random_secret())?;
        Ok(Auth { store, clock, config, dummy_hash, tokens: TokenCache::default() })
    }

    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    /// Creates a user (`ManageUsers`). Passwords need at least `MIN_PASSWORD_CHARS`
    /// characters and must not contain the username.
    pub async fn add_user(&self, by: &Actor, input: NewUserInput) -> Result<UserInfo> {
        by.authorize(Action::ManageUsers, None)?;
        let username = check_name("username", &input.username)?;
        let display_name = input.display_name.trim();
        if display_name.is_empty() {
            return Err(ServiceError::Invalid("the display name must not be empty".into()));
        }
        check_password(&username, &input.password)?;
        self.ensure_office(&input.office).await?;
        let password_hash = hash_blocking(input.password).await?;
        let user = NewUser {
            username,
            display_name: display_name.to_owned(),
            role: input.role.as_str().to_owned(),
            office: input.office,
            password_hash,
            created_at: self.clock.timestamp(),
        };
        self.store.insert_user(&user, &self.ctx(by)).await?;
        self.user_info(&user.username).await
    }

    /// Users in username order (`ManageUsers`).
    pub async fn list_users(&self, by: &Actor) -> Result<Vec<UserInfo>> {
        by.authorize(Action::ManageUsers, None)?;
        self.store.list_users().await?.iter().map(user_info).collect()
    }

    /// Disables a user and ends their sessions (`ManageUsers`); nobody disables themselves.
    pub async fn disable_user(&self, by: &Actor, username: &str) -> Result<()> {
        by.authorize(Action::ManageUsers, None)?;
        if by.credential == Credential::User && by.username == username {
            return Err(ServiceError::Invalid("you cannot disable your own account".into()));
        }
        self.store.set_user_active(username, false, &self.ctx(by)).await?;
        Ok(())
    }

    /// Enables a disabled user again (`ManageUsers`).
    pub async fn enable_user(&self, by: &Actor, username: &str) -> Result<()> {
        by.authorize(Action::ManageUsers, None)?;
        self.store.set_user_active(username, true, &self.ctx(by)).await?;
        Ok(())
    }

    /// Gives a user a new random temporary password (`ManageUsers`) and ends their sessions;
    /// the password is returned to be handed over once and is never stored or logged.
    pub async fn reset_password(&self, by: &Actor, username: &str) -> Result<String> {
        by.authorize(Action::ManageUsers, None)?;
        let user = self.user_record(username).await?;
        let password = temporary_password();
        let hash = hash_blocking(password.clone()).await?;
        self.store.set_password(&user.username, &hash, &self.ctx(by)).await?;
        Ok(password)
    }

    /// Moves a user to another role and office (`ManageUsers`); nobody changes their own.
    pub async fn set_role(
        &self,
        by: &Actor,
        username: &str,
        role: Role,
        office: OfficeCode,
    ) -> Result<UserInfo> {
        by.authorize(Action::ManageUsers, None)?;
        if by.credential == Credential::User && by.username == username {
            return Err(ServiceError::Invalid("you cannot change your own role".into()));
        }
        self.ensure_office(&office).await?;
        self.store.set_user_role(username, role.as_str(), &office, &self.ctx(by)).await?;
        self.user_info(username).await
    }

    /// Lets a throttled user log in again at once (`ManageUsers`): clears the login
    /// throttle of their username from every address. Returns how many blocks were cleared.
    pub async fn unlock_user(&self, by: &Actor, username: &str) -> Result<u64> {
        by.authorize(Action::ManageUsers, None)?;
        Ok(self.store.unlock_user(username, &self.ctx(by)).await?)
    }

    /// Login throttle keys blocked now (`ManageUsers`).
    pub async fn login_blocks(&self, by: &Actor) -> Result<Vec<LoginBlock>> {
        by.authorize(Action::ManageUsers, None)?;
        let now = self.clock.timestamp();
        Ok(self
            .store
            .blocked_logins(&now)
            .await?
            .into_iter()
            .filter_map(|b| {
                let (username, address) = match b.key.split_once(':')? {
                    ("login", rest) => {
                        let (user, addr) = rest.split_once('@')?;
                        (Some(user.to_owned()), addr.to_owned())
                    }
                    ("addr", addr) => (None, addr.to_owned()),
                    _ => return None,
                };
                Some(LoginBlock { username, address, blocked_until: b.blocked_until })
            })
            .collect())
    }

    /// Changes the actor's own password after checking the current one; ends all of the
    /// user's sessions (log in again).
    pub async fn change_password(&self, actor: &Actor, current: &str, new: &str) -> Result<()> {
        if actor.credential != Credential::User {
            return Err(ServiceError::Forbidden("API tokens have no password".into()));
        }
        let user = self
            .store
            .get_user(&actor.username)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("user {}", actor.username)))?;
        if !verify_blocking(user.password_hash.clone(), current.to_owned()).await? {
            return Err(ServiceError::Forbidden("the current password is wrong".into()));
        }
        check_password(&user.username, new)?;
        let hash = hash_blocking(new.to_owned()).await?;
        self.store.set_password(&user.username, &hash, &self.ctx(actor)).await?;
        Ok(())
    }

    /// Checks a password and starts a session. `client_addr` is recorded with the login
    /// and keys the throttle. Every attempt is counted in the register before its password
    /// is checked (one atomic upsert), so concurrent guesses past the limit are refused
    /// unchecked, whichever server they reach.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        client_addr: Option<&str>,
    ) -> Result<LoginSession, LoginError> {
        let now = self.clock.now();
        let username = username_key(username).unwrap_or_default();
        if password.len() > MAX_PASSWORD_BYTES || username.len() > 64 {
            return Err(LoginError::BadCredentials);
        }
        let addr = client_addr.unwrap_or("-");
        let pair_key = format!("login:{username}@{addr}");
        let addr_key = format!("addr:{addr}");
        if let Some(until) =
            self.count_attempt(&pair_key, self.config.attempts_per_client, now, addr).await?
        {
            return Err(LoginError::Throttled { until });
        }
        if let Some(until) =
            self.count_attempt(&addr_key, self.config.attempts_per_address, now, addr).await?
        {
            return Err(LoginError::Throttled { until });
        }
        let Some(user) = self.store.get_user(&username).await? else {
            // Same work as for a known user, so timing does not reveal who exists.
            verify_blocking(self.dummy_hash.clone(), password.to_owned()).await?;
            let ctx =
                AuditCtx { actor: "anonymous".into(), office: None, purpose: None, at: stamp(now) };
            // The attempted name is left out: it is often a password typed in the wrong field.
            self.store
                .append_audit(&ctx, AuditAction::UserLoginFailed, "user", None, "unknown user")
                .await?;
            return Err(LoginError::BadCredentials);
        };
        let ok = verify_blocking(user.password_hash.clone(), password.to_owned()).await?;
        let ctx = AuditCtx {
            actor: user.username.clone(),
            office: Some(user.office.clone()),
            purpose: None,
            at: stamp(now),
        };
        if !user.active {
            return Err(LoginError::BadCredentials);
        }
        if !ok {
            let details = format!("wrong password from {addr}");
            self.store
                .append_audit(
                    &ctx,
                    AuditAction::UserLoginFailed,
                    "user",
                    Some(&user.username),
                    &details,
                )
                .await?;
            return Err(LoginError::BadCredentials);
        }
        self.store.clear_login_key(&pair_key).await?;
        self.store.uncount_login_attempt(&addr_key).await?;
        let actor = user_actor(&user)?;
        let token = random_secret();
        let csrf = random_secret();
        let session = NewSession {
            token_hash: sha256_hex(&token),
            username: user.username.clone(),
            csrf_token: csrf.clone(),
            client_addr: client_addr.map(str::to_owned),
            created_at: stamp(now),
            expires_at: stamp(now + self.config.absolute_timeout),
        };
        self.store.create_session(&session, &ctx).await?;
        Ok(LoginSession { token, csrf, actor })
    }

    /// Counts one attempt against `key`; the end of its block when the attempt must be
    /// refused unchecked (already blocked, or past `limit` now, which starts a block).
    async fn count_attempt(
        &self,
        key: &str,
        limit: u32,
        now: OffsetDateTime,
        addr: &str,
    ) -> Result<Option<OffsetDateTime>, LoginError> {
        let cutoff = stamp(now - self.config.attempt_window);
        let count = self.store.count_login_attempt(key, &stamp(now), &cutoff).await?;
        if let Some(until) = count.blocked_until.as_deref().map(parse_stamp).transpose()?
            && until > now
        {
            return Ok(Some(until));
        }
        if count.attempts <= i64::from(limit.max(1)) {
            return Ok(None);
        }
        let doublings = u32::try_from(count.blocks.clamp(0, 20)).unwrap_or(20);
        let block = (self.config.first_block * 2_i32.pow(doublings)).min(self.config.max_block);
        let until = now + block;
        if self.store.block_login_key(key, &stamp(now), &stamp(until)).await? {
            let ctx =
                AuditCtx { actor: "anonymous".into(), office: None, purpose: None, at: stamp(now) };
            let scope = if key.starts_with("addr:") { "address" } else { "username at address" };
            let details = format!(
                "login attempts from {addr} ({scope}) slowed down: blocked {} s after {} attempts",
                block.whole_seconds(),
                count.attempts - 1
            );
            self.store
                .append_audit(&ctx, AuditAction::LoginThrottled, "login", None, &details)
                .await?;
        }
        Ok(Some(until))
    }

    /// The actor behind a session token; `Unauthenticated` when it is unknown, expired
    /// (idle or absolute timeout) or its user was disabled.
    pub async fn session(&self, token: &str) -> Result<SessionActor> {
        let hash = sha256_hex(token);
        let Some(session) = self.store.get_session(&hash).await? else {
            return Err(ServiceError::Unauthenticated("no such session".into()));
        };
        let now = self.clock.now();
        let last_seen = parse_stamp(&session.last_seen_at)?;
        let expired =
            now >= parse_stamp(&session.expires_at)? || now - last_seen >= self.config.idle_timeout;
        let user = self.store.get_user(&session.username).await?;
        let Some(user) = user.filter(|u| u.active && !expired) else {
            let ctx = AuditCtx {
                actor: session.username.clone(),
                office: None,
                purpose: None,
                at: stamp(now),
            };
            self.store.delete_session(&hash, AuditAction::UserSessionExpired, &ctx).await?;
            return Err(ServiceError::Unauthenticated("the session has expired".into()));
        };
        if now - last_seen >= TOUCH_EVERY {
            self.store.touch_session(&hash, &stamp(now)).await?;
        }
        Ok(SessionActor { actor: user_actor(&user)?, csrf: session.csrf_token })
    }

    /// Ends a session; an unknown token is already logged out.
    pub async fn logout(&self, token: &str) -> Result<()> {
        let hash = sha256_hex(token);
        if let Some(session) = self.store.get_session(&hash).await? {
            let ctx = AuditCtx {
                actor: session.username.clone(),
                office: None,
                purpose: None,
                at: self.clock.timestamp(),
            };
            self.store.delete_session(&hash, AuditAction::UserLogout, &ctx).await?;
        }
        Ok(())
    }

    /// Creates an API token acting as `role` at `office`, limited to `scopes` (each of which
    /// the role must have). Returns the secret, which is never shown again.
    pub async fn add_token(
        &self,
        by: &Actor,
        name: &str,
        role: Role,
        scopes: &[Action],
        office: OfficeCode,
    ) -> Result<String> {
        self.add_token_until(by, name, role, scopes, office, None).await
    }

    /// As `add_token`, the token ending at `expires_at` (which must be in the future).
    pub async fn add_token_until(
        &self,
        by: &Actor,
        name: &str,
        role: Role,
        scopes: &[Action],
        office: OfficeCode,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<String> {
        by.authorize(Action::ManageTokens, None)?;
        if expires_at.is_some_and(|at| at <= self.clock.now()) {
            return Err(ServiceError::Invalid("expires_at must be in the future".into()));
        }
        let name = check_name("token name", name)?;
        if scopes.is_empty() {
            return Err(ServiceError::Invalid("a token needs at least one scope".into()));
        }
        if let Some(action) = scopes.iter().find(|a| permission(role, **a).is_none()) {
            return Err(ServiceError::Invalid(format!(
                "role {role} may not {action}, so a token of that role cannot have that scope"
            )));
        }
        self.ensure_office(&office).await?;
        let mut names: Vec<String> = scopes.iter().map(|a| a.as_str().to_owned()).collect();
        names.sort();
        names.dedup();
        let secret = format!("{TOKEN_PREFIX}{}", random_secret());
        let token = NewApiToken {
            name,
            token_hash: sha256_hex(&secret),
            role: role.as_str().to_owned(),
            scopes: names,
            office,
            created_by: by.username.clone(),
            created_at: self.clock.timestamp(),
            expires_at: expires_at.map(stamp),
        };
        self.store.insert_token(&token, &self.ctx(by)).await?;
        Ok(secret)
    }

    /// The actor behind an API token secret; `Unauthenticated` when unknown or revoked.
    /// A token is read from the store at most once per `token_cache::RECHECK_AFTER`.
    pub async fn token(&self, secret: &str) -> Result<Actor> {
        let hash = sha256_hex(secret.trim());
        let now = self.clock.now();
        let (token, actor) = match self.tokens.fresh(&hash, now) {
            Some(fresh) => fresh,
            None => {
                let Some(token) = self.store.token_by_hash(&hash).await? else {
                    return Err(ServiceError::Unauthenticated("unknown API token".into()));
                };
                let token = std::sync::Arc::new(token);
                let actor = token_actor(&token).ok();
                self.tokens.put(&hash, token.clone(), actor.clone(), now);
                (token, actor)
            }
        };
        if token.revoked_at.is_some() {
            return Err(ServiceError::Unauthenticated(format!(
                "API token {} was revoked",
                token.name
            )));
        }
        if let Some(until) = token.expires_at.as_deref()
            && parse_stamp(until)? <= now
        {
            return Err(ServiceError::Unauthenticated(format!(
                "API token {} expired at {until}",
                token.name
            )));
        }
        let stale = match token.last_used_at.as_deref() {
            Some(at) => now - parse_stamp(at)? >= TOUCH_EVERY,
            None => true,
        };
        if stale {
            let at = stamp(now);
            self.store.touch_token(&token.name, &at).await?;
            self.tokens.touched(&hash, &at);
        }
        match actor {
            Some(actor) => Ok(actor),
            // Not cached because it does not parse: the error again.
            None => token_actor(&token),
        }
    }

    /// Revokes an API token at once (`ManageTokens`).
    pub async fn revoke_token(&self, by: &Actor, name: &str) -> Result<()> {
        by.authorize(Action::ManageTokens, None)?;
        self.store.revoke_token(name, &self.ctx(by)).await?;
        self.tokens.clear();
        Ok(())
    }

    /// Tokens in name order, revoked ones included (`ManageTokens`).
    pub async fn list_tokens(&self, by: &Actor) -> Result<Vec<TokenInfo>> {
        by.authorize(Action::ManageTokens, None)?;
        self.store.list_tokens().await?.iter().map(token_info).collect()
    }

    async fn user_info(&self, username: &str) -> Result<UserInfo> {
        user_info(&self.user_record(username).await?)
    }

    async fn user_record(&self, username: &str) -> Result<UserRecord> {
        self.store
            .get_user(username)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("user {username}")))
    }

    async fn ensure_office(&self, office: &OfficeCode) -> Result<()> {
        if self.store.list_offices().await?.iter().any(|o| &o.code == office) {
            Ok(())
        } else {
            Err(ServiceError::Invalid(format!(
                "unknown office {office}: add it first with `jejak office add`"
            )))
        }
    }

    fn ctx(&self, by: &Actor) -> AuditCtx {
        by.audit_ctx(self.clock.timestamp(), None)
    }
}

fn user_actor(user: &UserRecord) -> Result<Actor> {
    Ok(Actor::user(
        &user.username,
        &user.display_name,
        stored_role(&user.role)?,
        user.office.clone(),
    ))
}

fn user_info(user: &UserRecord) -> Result<UserInfo> {
    Ok(UserInfo {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: stored_role(&user.role)?,
        office: user.office.clone(),
        active: user.active,
        locked_until: user.locked_until.clone(),
        created_at: user.created_at.clone(),
        password_changed_at: user.password_changed_at.clone(),
    })
}

/// The actor a token stands for.
fn token_actor(token: &ApiTokenRecord) -> Result<Actor> {
    let info = token_info(token)?;
    Ok(Actor {
        username: info.name.clone(),
        display_name: info.name.clone(),
        role: info.role,
        office: info.office,
        credential: Credential::Token { name: info.name, scopes: info.scopes },
    })
}

fn token_info(token: &ApiTokenRecord) -> Result<TokenInfo> {
    let scopes = token
        .scopes
        .iter()
        .map(|s| {
            Action::parse(s).ok_or_else(|| {
                ServiceError::Internal(format!("API token {} has unknown scope {s}", token.name))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(TokenInfo {
        name: token.name.clone(),
        role: stored_role(&token.role)?,
        scopes,
        office: token.office.clone(),
        created_by: token.created_by.clone(),
        created_at: token.created_at.clone(),
        revoked_at: token.revoked_at.clone(),
        last_used_at: token.last_used_at.clone(),
        expires_at: token.expires_at.clone(),
    })
}

fn stored_role(text: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| ServiceError::Internal(format!("unknown stored role {text}")))
}

/// Usernames and token names: 2-64 characters, lowercase letters, digits, `.`, `_`, `-`,
/// starting with a letter.
/// The one form a username is compared in everywhere (logins, four-eyes checks, rule
/// authors): trimmed and ASCII-lowercased. Usernames are ASCII; a name with any other
/// character is no username (Unicode lowercasing would make the Kelvin sign "K" a "k").
pub fn username_key(text: &str) -> Option<String> {
    let trimmed = text.trim();
    trimmed.is_ascii().then(|| trimmed.to_ascii_lowercase())
}

fn check_name(what: &str, text: &str) -> Result<String> {
    let name = username_key(text).unwrap_or_default();
    let valid = (2..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c));
    if valid {
        Ok(name)
    } else {
        Err(ServiceError::Invalid(format!(
            "{what} {text:?}: use 2-64 lowercase letters, digits, '.', '_' or '-', starting with a letter"
        )))
    }
}

fn check_password(username: &str, password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServiceError::Invalid(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ServiceError::Invalid(format!(
            "the password must have at most {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    if password.to_lowercase().contains(username) {
        return Err(ServiceError::Invalid("the password must not contain the username".into()));
    }
    Ok(())
}

fn argon2() -> Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None)
        .map_err(|e| ServiceError::Internal(format!("Argon2 parameters: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// An Argon2id PHC string for `password`.
fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0_u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| ServiceError::Internal(format!("password salt: {e}")))?;
    let hash = argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| ServiceError::Internal(format!("password hashing: {e}")))?;
    Ok(hash.to_string())
}

fn verify_password(hash: &str, password: &str) -> Result<bool> {
    let parsed = PasswordHash::new(hash)
        .map_err(|e| ServiceError::Internal(format!("stored password hash: {e}")))?;
    Ok(argon2()?.verify_password(password.as_bytes(), &parsed).is_ok())
}

// Argon2 takes tens of milliseconds of CPU on purpose: off the async workers.
async fn hash_blocking(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ServiceError::Internal(format!("password hashing task: {e}")))?
}

async fn verify_blocking(hash: String, password: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .map_err(|e| ServiceError::Internal(format!("password check task: {e}")))?
}

/// A temporary password an administrator reads out or hands over: 16 characters from an
/// alphabet without look-alikes (about 85 bits), grouped by four for reading.
pub fn temporary_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0_u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let mut out = String::with_capacity(19);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    out
}

/// 256 random bits, base64url without padding (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256: how sessions and tokens are looked up without storing them.
fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Compares two secrets in time independent of where they differ.
pub fn secrets_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// RFC 3339 UTC with whole seconds, as the store keeps timestamps.
pub(crate) fn stamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        jejak_domain::date::iso(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn parse_stamp(text: &str) -> Result<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| ServiceError::Internal(format!("stored timestamp {text:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("kata sandi panjang").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password(&hash, "kata sandi panjang").unwrap());
        assert!(!verify_password(&hash, "kata sandi salah!").unwrap());
        assert_ne!(hash, hash_password("kata sandi panjang").unwrap(), "salted");
    }

    #[test]
    fn weak_passwords_and_bad_names_are_refused() {
        assert!(check_password("sari", "short").is_err());
        assert!(check_password("sari", "xxsarixxxxxxxx").is_err());
        assert!(check_password("sari", "dua belas huruf").is_ok());
        assert_eq!(check_name("username", " Petugas.KLA ").unwrap(), "petugas.kla");
        for bad in ["a", "1abc", "sari siti", "sari@kla", ""] {
            assert!(check_name("username", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_are_256_bit_base64url() {
        let s = random_secret();
        assert_eq!(s.len(), 43);
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(s, random_secret());
        assert!(secrets_equal(&s, &s.clone()));
        assert!(!secrets_equal(&s, &random_secret()));
        assert!(!secrets_equal("abc", "abcd"));
    }

    #[test]
    fn temporary_passwords_are_long_enough_and_random() {
        let p = temporary_password();
        assert_eq!(p.len(), 19, "{p}");
        assert!(p.chars().count() >= MIN_PASSWORD_CHARS);
        assert_ne!(p, temporary_password());
    }

    #[test]
    fn timestamps_round_trip() {
        let t = parse_stamp("2025-03-01T08:15:00Z").unwrap();
        assert_eq!(stamp(t + Duration::hours(12)), "2025-03-01T20:15:00Z");
    }
}
