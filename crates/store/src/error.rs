//! Storage errors; `sqlx::Error` and `rusqlite::Error` never leave this crate.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    /// Someone else changed the record first, or a uniqueness rule was hit.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A value the register cannot hold (e.g. text with a NUL character).
    #[error("invalid value: {0}")]
    InvalidValue(String),
    /// The operation does not exist for this backend; the message says what to use instead.
    #[error("not supported: {0}")]
    Unsupported(String),
    #[error("unsupported database URL {0}: use sqlite://PATH or postgres://USER@HOST/DB")]
    BadUrl(String),
    /// A stored value could not be read back into a domain value.
    #[error("corrupt stored value in {table}.{column}: {message}")]
    Corrupt { table: &'static str, column: &'static str, message: String },
    #[error("database error: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("migration failed: {0}")]
    Migration(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound("row".to_owned()),
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StoreError::Conflict(db.message().to_owned())
            }
            other => StoreError::Backend(Box::new(other)),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migration(Box::new(e))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
        match e {
            // The same cases as sqlx's `is_unique_violation` for SQLite.
            rusqlite::Error::SqliteFailure(failure, message)
                if matches!(
                    failure.extended_code,
                    SQLITE_CONSTRAINT_UNIQUE | SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
            {
                StoreError::Conflict(message.unwrap_or_else(|| failure.to_string()))
            }
            other => StoreError::Backend(Box::new(other)),
        }
    }
}
