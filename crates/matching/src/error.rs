//! Error types of the crate: one enum per concern, each variant naming what is wrong and
//! where (the table, the model field or blocking rule, the CSV row and column).

use std::io;

/// A crate-wide result alias.
pub type Result<T, E = MatchError> = std::result::Result<T, E>;

/// Any error of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MatchError {
    #[error(transparent)]
    Table(#[from] TableError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Link(#[from] LinkError),
}

/// An embedded or supplied normalisation table is malformed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    #[error("name table {table}: {message}")]
    Syntax { table: &'static str, message: String },
    #[error("name variant {variant:?} is listed under two canonical forms")]
    ConflictingVariant { variant: String },
    #[error(
        "spelling rule {pattern:?} must be lower-case ASCII letters, optionally anchored with ^ or $"
    )]
    InvalidRule { pattern: String },
}

/// A model file is malformed or inconsistent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("model file syntax: {message}")]
    Syntax { message: String },
    #[error("field {field:?}: unknown comparison kind {kind:?} (expected one of {expected})")]
    UnknownKind { field: String, kind: String, expected: &'static str },
    #[error("field {field:?} is declared twice")]
    DuplicateField { field: String },
    #[error("field {field:?}: {reason}")]
    InvalidField { field: String, reason: String },
    #[error("group {group:?}: {reason}")]
    InvalidGroup { group: String, reason: &'static str },
    #[error("blocking rule {rule:?}: {reason}")]
    InvalidBlockingRule { rule: String, reason: String },
    #[error("{setting} = {value} is out of range: {reason}")]
    InvalidSetting { setting: String, value: f64, reason: &'static str },
    #[error("the model declares no compared field")]
    NoFields,
    #[error(transparent)]
    Table(#[from] TableError),
}

/// A record handed to the engine does not fit the model.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordError {
    #[error("unknown field {field:?} for model {model:?}")]
    UnknownField { field: String, model: String },
    #[error("record id is empty")]
    EmptyId,
}

/// Batch linking failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    #[error("{source_name}: {source}")]
    Csv {
        source_name: String,
        #[source]
        source: csv::Error,
    },
    #[error("{source_name}: missing id column {column:?}")]
    MissingIdColumn { source_name: String, column: String },
    #[error("{source_name}, row {row}: empty id")]
    EmptyId { source_name: String, row: u64 },
    #[error("{source_name}, row {row}: duplicate id {id:?}")]
    DuplicateId { source_name: String, row: u64, id: String },
    #[error(
        "truth file: header must be application_id,person_id (clusters) or id_a,id_b / id_l,id_r (pairs), found {found:?}"
    )]
    TruthHeader { found: String },
    #[error("link takes one input (dedupe) or two (link A to B), got {count}")]
    InputCount { count: usize },
    #[error("writing {what}: {source}")]
    Write {
        what: &'static str,
        #[source]
        source: io::Error,
    },
}
