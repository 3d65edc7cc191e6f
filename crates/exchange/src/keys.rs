//! Ed25519 keys: our signing key (32 secret bytes, kept in a file the partner configuration
//! names) and partners' public keys (32 bytes, base64 in the register).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use crate::ExchangeError;

/// The first line of an exchange signing key file.
pub const EXCHANGE_KEY_LABEL: &str = "jejak-exchange-ed25519-secret";

/// Our key for signing manifests.
pub struct SecretKey(SigningKey);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret itself.
        write!(f, "SecretKey(public {})", self.public().to_base64())
    }
}

impl SecretKey {
    /// A key from 32 random bytes (the caller draws them: this crate reads no randomness).
    pub fn from_bytes(bytes: [u8; 32]) -> SecretKey {
        SecretKey(SigningKey::from_bytes(&bytes))
    }

    /// The key file's text: the 32 secret bytes in base64 with a label line.
    pub fn to_file_text(&self) -> String {
        self.to_labelled_file_text(EXCHANGE_KEY_LABEL)
    }

    /// Reads a key file written by [`SecretKey::to_file_text`].
    pub fn from_file_text(text: &str) -> Result<SecretKey, ExchangeError> {
        Self::from_labelled_file_text(text, EXCHANGE_KEY_LABEL)
    }

    /// The key file format under another label line (the audit anchor key uses it too, under
    /// its own label, so one key is never taken for the other).
    pub fn to_labelled_file_text(&self, label: &str) -> String {
        format!("{label}\n{}\n", STANDARD.encode(self.0.to_bytes()))
    }

    /// Reads a key file whose first line is `label`.
    pub fn from_labelled_file_text(text: &str, label: &str) -> Result<SecretKey, ExchangeError> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        if lines.next() != Some(label) {
            return Err(ExchangeError::Key(format!(
                "not a Jejak signing key file of this kind (its first line must be {label})"
            )));
        }
        let bytes = lines
            .next()
            .and_then(|l| STANDARD.decode(l).ok())
            .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
            .ok_or_else(|| {
                ExchangeError::Key("the signing key is not 32 bytes of base64".into())
            })?;
        Ok(SecretKey::from_bytes(bytes))
    }

    /// The matching public key.
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs `message`; the signature in base64.
    pub fn sign(&self, message: &[u8]) -> String {
        STANDARD.encode(self.0.sign(message).to_bytes())
    }
}

/// A partner's (or our own) public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    /// Parses 32 bytes of base64.
    pub fn from_base64(text: &str) -> Result<PublicKey, ExchangeError> {
        let bytes = STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
            .ok_or_else(|| ExchangeError::Key("a public key is 32 bytes of base64".into()))?;
        VerifyingKey::from_bytes(&bytes)
            .map(PublicKey)
            .map_err(|_| ExchangeError::Key("not an Ed25519 public key".into()))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.to_bytes())
    }

    /// Whether `signature` (base64) is this key's signature over `message` (strict: no
    /// malleable or small-order signatures).
    pub fn verifies(&self, message: &[u8], signature: &str) -> bool {
        let Some(bytes) = STANDARD
            .decode(signature.trim())
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
        else {
            return false;
        };
        let signature = Signature::from_bytes(&bytes);
        self.0.verify_strict(message, &signature).is_ok()
            && self.0.verify(message, &signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn a_key_file_round_trips_and_signatures_verify_only_for_their_message() {
        let key = SecretKey::from_bytes([7; 32]);
        let again = SecretKey::from_file_text(&key.to_file_text()).unwrap();
        assert_eq!(again.public(), key.public());
        let signature = key.sign(b"batch 1");
        let public = PublicKey::from_base64(&key.public().to_base64()).unwrap();
        assert!(public.verifies(b"batch 1", &signature));
        assert!(!public.verifies(b"batch 2", &signature));
        assert!(!SecretKey::from_bytes([8; 32]).public().verifies(b"batch 1", &signature));
        assert!(!public.verifies(b"batch 1", "not base64"));
        assert!(!format!("{key:?}").contains(&key.to_file_text()));
    }

    #[test]
    fn a_key_file_is_read_only_under_its_own_label() {
        let key = SecretKey::from_bytes([7; 32]);
        let anchor = key.to_labelled_file_text("jejak-audit-anchor-ed25519-secret");
        assert!(SecretKey::from_file_text(&anchor).is_err());
        let again =
            SecretKey::from_labelled_file_text(&anchor, "jejak-audit-anchor-ed25519-secret")
                .unwrap();
        assert_eq!(again.public(), key.public());
    }
}
