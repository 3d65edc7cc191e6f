//! The partner exchange protocol (issue 15): batches of records exchanged with a partner
//! system (SISKOP2MI) in sequence, each a data file (JSON lines) and a manifest (partner,
//! direction, sequence number, creation time, schema version, record count, SHA-256 of the
//! data) signed with Ed25519. One [`Transport`] trait, two adapters: [`folder`] (a folder per
//! batch) and [`http`] (the same batches over HTTP). Verification ([`Batch::verify`]) refuses
//! a forged, tampered, truncated, replayed or out-of-order batch with a named reason.
//!
//! No SQL and no register here: what goes out and how an inbound batch is applied is
//! `service::exchange`.

pub mod batch;
pub mod folder;
pub mod http;
pub mod keys;
pub mod manifest;

use async_trait::async_trait;

pub use batch::{Batch, BatchHeader, Expectation, Refusal, count_records, sha256_hex};
pub use folder::{FolderTransport, read_batch, write_batch};
pub use http::{HttpConfig, HttpTransport, WireBatch, WireBatches};
pub use keys::{PublicKey, SecretKey};
pub use manifest::{DATA_FILE, Direction, MANIFEST_FILE, Manifest, SCHEMA_VERSION};

/// What goes wrong moving batches (a refused batch is a [`Refusal`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    #[error("{0}")]
    Io(String),
    #[error("malformed: {0}")]
    Malformed(String),
    #[error("key: {0}")]
    Key(String),
    #[error("{0}")]
    Http(String),
}

/// A way of moving batches to and from one partner.
#[async_trait]
pub trait Transport: Send + Sync {
    /// The partner's batches with a sequence number above `after`, in sequence order
    /// (unverified: the caller verifies each before applying it).
    async fn receive(&self, after: u64) -> Result<Vec<Batch>, ExchangeError>;

    /// Hands one of our batches to the partner; the sequence the partner acknowledged, when
    /// the transport carries acknowledgements.
    async fn send(&self, batch: &Batch) -> Result<Option<u64>, ExchangeError>;

    /// Tells the partner its batches up to `sequence` were applied.
    async fn acknowledge(&self, sequence: u64) -> Result<(), ExchangeError>;
}
