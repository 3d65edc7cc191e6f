//! The manifest of a batch: who it is exchanged with, which way, its place in the sequence,
//! and what the data file holds (count and SHA-256), signed with Ed25519 over its canonical
//! bytes. A batch is always described from Jejak's side: `outbound` goes from Jejak to the
//! partner, `inbound` from the partner to Jejak, so both ends read the same manifest alike.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ExchangeError;

/// The version of the manifest and data formats this crate writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The name of the data file in a batch folder (one JSON object per line).
pub const DATA_FILE: &str = "data.jsonl";

/// The name of the manifest file in a batch folder.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Which way a batch travels, seen from Jejak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the partner to Jejak (CPMI registrations).
    Inbound,
    /// From Jejak to the partner (deferrals and refusals for suspected PMI NP).
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }

    pub fn parse(text: &str) -> Option<Direction> {
        match text {
            "inbound" => Some(Direction::Inbound),
            "outbound" => Some(Direction::Outbound),
            _ => None,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The manifest of one batch (`manifest.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub schema_version: u32,
    /// The partner system's name as the register knows it (`siskop2mi`).
    pub partner: String,
    pub direction: Direction,
    /// 1 for the first batch each way; every batch is the previous one plus one.
    pub sequence: u64,
    /// RFC 3339 UTC time the batch was made.
    pub created_at: String,
    /// What the records are (`cpmi_registration`, `passport_decision`).
    pub record_kind: String,
    /// Lines in the data file.
    pub record_count: u64,
    /// SHA-256 of the data file's bytes, lower-case hex.
    pub data_sha256: String,
    /// Ed25519 signature over [`Manifest::canonical_bytes`], base64 (standard, padded).
    pub signature: String,
}

impl Manifest {
    /// The bytes the signature covers: every field but the signature, one `name=value` line
    /// each in a fixed order after a format line. Values holding a line break are refused
    /// when a manifest is sealed or read, so two manifests never share canonical bytes.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        format!(
            "jejak-exchange-manifest\nschema_version={}\npartner={}\ndirection={}\nsequence={}\ncreated_at={}\nrecord_kind={}\nrecord_count={}\ndata_sha256={}\n",
            self.schema_version,
            self.partner,
            self.direction,
            self.sequence,
            self.created_at,
            self.record_kind,
            self.record_count,
            self.data_sha256
        )
        .into_bytes()
    }

    /// Refuses text fields that could not be told apart in the canonical bytes.
    pub(crate) fn check_fields(&self) -> Result<(), ExchangeError> {
        for (name, value) in [
            ("partner", &self.partner),
            ("created_at", &self.created_at),
            ("record_kind", &self.record_kind),
            ("data_sha256", &self.data_sha256),
        ] {
            if value.is_empty() || value.chars().any(char::is_control) {
                return Err(ExchangeError::Malformed(format!(
                    "manifest field {name} is empty or holds a control character"
                )));
            }
        }
        Ok(())
    }

    /// The manifest as the pretty JSON written to `manifest.json`.
    pub fn to_json(&self) -> Result<String, ExchangeError> {
        serde_json::to_string_pretty(self)
            .map(|mut s| {
                s.push('\n');
                s
            })
            .map_err(|e| ExchangeError::Malformed(format!("manifest: {e}")))
    }

    /// Reads a manifest from JSON, naming the problem.
    pub fn from_json(text: &[u8]) -> Result<Manifest, ExchangeError> {
        let manifest: Manifest = serde_json::from_slice(text)
            .map_err(|e| ExchangeError::Malformed(format!("manifest: {e}")))?;
        manifest.check_fields()?;
        Ok(manifest)
    }
}
