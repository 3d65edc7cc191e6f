//! A batch (manifest + data), how one is sealed (hash, count, signature) and how an inbound
//! one is checked before anything of it is applied. Every refusal names its reason.

use sha2::{Digest, Sha256};

use crate::keys::{PublicKey, SecretKey};
use crate::manifest::{Direction, Manifest, SCHEMA_VERSION};

/// A manifest and the data file it describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub manifest: Manifest,
    /// The data file: one JSON object per line, each line ended by `\n`.
    pub data: Vec<u8>,
}

/// What a new batch is, before it is sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchHeader {
    pub partner: String,
    pub direction: Direction,
    pub sequence: u64,
    pub created_at: String,
    pub record_kind: String,
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The number of records (lines) in a data file.
pub fn count_records(data: &[u8]) -> u64 {
    data.split(|b| *b == b'\n').filter(|line| !line.iter().all(u8::is_ascii_whitespace)).count()
        as u64
}

/// Why a batch is refused. Nothing of a refused batch is applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the manifest's schema version {found} is not {expected}")]
    SchemaVersion { found: u32, expected: u32 },
    #[error("the batch is for partner {found:?}, not {expected:?}")]
    WrongPartner { found: String, expected: String },
    #[error("the batch travels {found}, expected {expected}")]
    WrongDirection { found: Direction, expected: Direction },
    #[error("the manifest's signature does not verify with {partner}'s public key")]
    BadSignature { partner: String },
    #[error(
        "the data file does not match the manifest: SHA-256 {found}, manifest says {expected} (changed or truncated)"
    )]
    HashMismatch { found: String, expected: String },
    #[error("the data file holds {found} record(s), the manifest says {expected}")]
    CountMismatch { found: u64, expected: u64 },
    #[error("batch {sequence} was already applied (last applied: {last}): a replay")]
    Replayed { sequence: u64, last: u64 },
    #[error("batch {sequence} is out of order: the next batch expected is {expected}")]
    OutOfOrder { sequence: u64, expected: u64 },
}

/// What an inbound batch must be to be applied.
#[derive(Debug, Clone)]
pub struct Expectation<'a> {
    pub partner: &'a str,
    pub direction: Direction,
    pub key: &'a PublicKey,
    /// The last sequence number applied (0 before the first batch); `None` checks the
    /// signature, hash and count only (`jejak exchange verify` without a register).
    pub last_applied: Option<u64>,
}

impl Batch {
    /// Seals `data` under `header`: counts the records, hashes the bytes, signs the manifest.
    pub fn seal(
        header: BatchHeader,
        data: Vec<u8>,
        key: &SecretKey,
    ) -> Result<Batch, crate::ExchangeError> {
        let mut manifest = Manifest {
            schema_version: SCHEMA_VERSION,
            partner: header.partner,
            direction: header.direction,
            sequence: header.sequence,
            created_at: header.created_at,
            record_kind: header.record_kind,
            record_count: count_records(&data),
            data_sha256: sha256_hex(&data),
            signature: String::new(),
        };
        manifest.check_fields()?;
        manifest.signature = key.sign(&manifest.canonical_bytes());
        Ok(Batch { manifest, data })
    }

    /// Checks the batch against what is expected, in this order: format, partner and
    /// direction, signature (the manifest is the partner's), hash and count (the data is the
    /// manifest's), then the sequence (neither a replay nor a gap).
    pub fn verify(&self, expected: &Expectation<'_>) -> Result<(), Refusal> {
        let m = &self.manifest;
        if m.schema_version != SCHEMA_VERSION {
            return Err(Refusal::SchemaVersion {
                found: m.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        if m.partner != expected.partner {
            return Err(Refusal::WrongPartner {
                found: m.partner.clone(),
                expected: expected.partner.to_owned(),
            });
        }
        if m.direction != expected.direction {
            return Err(Refusal::WrongDirection {
                found: m.direction,
                expected: expected.direction,
            });
        }
        if !expected.key.verifies(&m.canonical_bytes(), &m.signature) {
            return Err(Refusal::BadSignature { partner: m.partner.clone() });
        }
        let hash = sha256_hex(&self.data);
        if hash != m.data_sha256 {
            return Err(Refusal::HashMismatch { found: hash, expected: m.data_sha256.clone() });
        }
        let count = count_records(&self.data);
        if count != m.record_count {
            return Err(Refusal::CountMismatch { found: count, expected: m.record_count });
        }
        if let Some(last) = expected.last_applied {
            if m.sequence <= last {
                return Err(Refusal::Replayed { sequence: m.sequence, last });
            }
            if m.sequence != last + 1 {
                return Err(Refusal::OutOfOrder { sequence: m.sequence, expected: last + 1 });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    fn header(sequence: u64) -> BatchHeader {
        BatchHeader {
            partner: "siskop2mi".into(),
            direction: Direction::Inbound,
            sequence,
            created_at: "2026-12-01T08:00:00Z".into(),
            record_kind: "cpmi_registration".into(),
        }
    }

    #[test]
    fn a_sealed_batch_verifies_and_every_kind_of_tampering_is_named() {
        let key = SecretKey::from_bytes([3; 32]);
        let public = key.public();
        let batch = Batch::seal(header(2), b"{\"a\":1}\n{\"a\":2}\n".to_vec(), &key).unwrap();
        assert_eq!(batch.manifest.record_count, 2);
        let expect = |last| Expectation {
            partner: "siskop2mi",
            direction: Direction::Inbound,
            key: &public,
            last_applied: Some(last),
        };
        assert_eq!(batch.verify(&expect(1)), Ok(()));
        assert_eq!(batch.verify(&expect(2)), Err(Refusal::Replayed { sequence: 2, last: 2 }));
        assert_eq!(batch.verify(&expect(0)), Err(Refusal::OutOfOrder { sequence: 2, expected: 1 }));

        let mut truncated = batch.clone();
        truncated.data.truncate(8);
        assert!(matches!(truncated.verify(&expect(1)), Err(Refusal::HashMismatch { .. })));

        let mut recounted = batch.clone();
        recounted.manifest.record_count = 3;
        assert_eq!(
            recounted.verify(&expect(1)),
            Err(Refusal::BadSignature { partner: "siskop2mi".into() }),
            "a manifest changed after signing no longer verifies"
        );

        let other = SecretKey::from_bytes([4; 32]);
        let forged = Batch::seal(header(2), batch.data.clone(), &other).unwrap();
        assert!(matches!(forged.verify(&expect(1)), Err(Refusal::BadSignature { .. })));

        // A batch whose signer miscounted is refused on the count.
        let mut miscounted = Batch::seal(header(2), batch.data.clone(), &key).unwrap();
        miscounted.manifest.record_count = 5;
        miscounted.manifest.signature = key.sign(&miscounted.manifest.canonical_bytes());
        assert_eq!(
            miscounted.verify(&expect(1)),
            Err(Refusal::CountMismatch { found: 2, expected: 5 })
        );
    }

    #[test]
    fn a_partner_name_with_a_line_break_cannot_be_sealed() {
        let key = SecretKey::from_bytes([3; 32]);
        let mut h = header(1);
        h.partner = "siskop2mi\nsequence=9".into();
        assert!(Batch::seal(h, Vec::new(), &key).is_err());
    }
}
