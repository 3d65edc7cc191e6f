//! Service errors: what the user did wrong, kept apart from what broke inside.

use jejak_store::StoreError;

/// Errors of the use cases.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// Too many requests or too much held for the user (or for everyone): wait, then retry.
    #[error("too many: {0}")]
    TooMany(String),
    /// No valid session or API token (missing, expired, revoked): log in again.
    #[error("not logged in: {0}")]
    Unauthenticated(String),
    /// Something broke inside Jejak (a failed task, a poisoned lock, an inconsistent model):
    /// not the user's doing.
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => ServiceError::NotFound(m),
            StoreError::Conflict(m) => ServiceError::Conflict(m),
            other => ServiceError::Store(other),
        }
    }
}
