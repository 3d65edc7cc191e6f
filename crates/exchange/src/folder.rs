//! The batch-folder adapter: one folder per batch holding `manifest.json` and `data.jsonl`,
//! carried by whatever means the agencies agree (a shared drive, SFTP, a disk). Writing puts
//! the data first and the manifest last, each through a temporary file renamed into place, so
//! a folder with a manifest is complete.

use std::path::{Path, PathBuf};

use async_trait::async_trait;

use crate::batch::Batch;
use crate::manifest::{DATA_FILE, MANIFEST_FILE, Manifest};
use crate::{ExchangeError, Transport};

/// Writes `batch` into the folder `dir` (created if missing; an existing batch there is
/// refused, so a batch is never overwritten).
pub fn write_batch(dir: &Path, batch: &Batch) -> Result<(), ExchangeError> {
    let io = |what: &str, e: std::io::Error| ExchangeError::Io(format!("{what}: {e}"));
    std::fs::create_dir_all(dir).map_err(|e| io(&dir.display().to_string(), e))?;
    let manifest_path = dir.join(MANIFEST_FILE);
    if manifest_path.exists() {
        return Err(ExchangeError::Io(format!("{} already holds a batch", dir.display())));
    }
    let write = |name: &str, bytes: &[u8]| {
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, bytes).map_err(|e| io(&tmp.display().to_string(), e))?;
        std::fs::rename(&tmp, dir.join(name)).map_err(|e| io(name, e))
    };
    write(DATA_FILE, &batch.data)?;
    write(MANIFEST_FILE, batch.manifest.to_json()?.as_bytes())
}

/// Reads the batch in the folder `dir`.
pub fn read_batch(dir: &Path) -> Result<Batch, ExchangeError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| ExchangeError::Io(format!("{}: {e}", path.display())))
    };
    let manifest = Manifest::from_json(&read(MANIFEST_FILE)?).map_err(|e| {
        ExchangeError::Malformed(format!("{}: {e}", dir.join(MANIFEST_FILE).display()))
    })?;
    let data = read(DATA_FILE)?;
    Ok(Batch { manifest, data })
}

/// A folder of batch folders (or one batch folder) as a transport: `receive` reads every
/// batch folder under it with a sequence above `after`, in sequence order; `send` writes a
/// batch into a subfolder named by partner, direction and sequence. Acknowledgements travel
/// outside the folder (`jejak exchange ack`).
#[derive(Debug, Clone)]
pub struct FolderTransport {
    pub dir: PathBuf,
}

impl FolderTransport {
    /// The subfolder a batch is written to.
    pub fn folder_of(&self, manifest: &Manifest) -> PathBuf {
        self.dir
            .join(format!("{}-{}-{:06}", manifest.partner, manifest.direction, manifest.sequence))
    }
}

#[async_trait]
impl Transport for FolderTransport {
    async fn receive(&self, after: u64) -> Result<Vec<Batch>, ExchangeError> {
        if self.dir.join(MANIFEST_FILE).exists() {
            let batch = read_batch(&self.dir)?;
            return Ok(if batch.manifest.sequence > after { vec![batch] } else { Vec::new() });
        }
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|e| ExchangeError::Io(format!("{}: {e}", self.dir.display())))?;
        let mut batches = Vec::new();
        for entry in entries {
            let path = entry.map_err(|e| ExchangeError::Io(e.to_string()))?.path();
            if path.join(MANIFEST_FILE).exists() {
                let batch = read_batch(&path)?;
                if batch.manifest.sequence > after {
                    batches.push(batch);
                }
            }
        }
        batches.sort_by_key(|b| b.manifest.sequence);
        Ok(batches)
    }

    async fn send(&self, batch: &Batch) -> Result<Option<u64>, ExchangeError> {
        write_batch(&self.folder_of(&batch.manifest), batch)?;
        Ok(None)
    }

    async fn acknowledge(&self, _sequence: u64) -> Result<(), ExchangeError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;
    use crate::batch::BatchHeader;
    use crate::keys::SecretKey;
    use crate::manifest::Direction;

    fn batch(sequence: u64) -> Batch {
        let header = BatchHeader {
            partner: "siskop2mi".into(),
            direction: Direction::Outbound,
            sequence,
            created_at: "2026-12-01T08:00:00Z".into(),
            record_kind: "passport_decision".into(),
        };
        Batch::seal(
            header,
            format!("{{\"n\":{sequence}}}\n").into_bytes(),
            &SecretKey::from_bytes([5; 32]),
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_folder_of_batches_is_read_back_in_sequence_and_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let transport = FolderTransport { dir: dir.path().to_owned() };
        for n in [3, 1, 2] {
            assert_eq!(transport.send(&batch(n)).await.unwrap(), None);
        }
        let read = transport.receive(1).await.unwrap();
        assert_eq!(read, vec![batch(2), batch(3)]);
        assert!(transport.send(&batch(2)).await.is_err(), "a batch folder is written once");
        let single = FolderTransport { dir: transport.folder_of(&batch(3).manifest) };
        assert_eq!(single.receive(0).await.unwrap(), vec![batch(3)]);
        assert!(single.receive(3).await.unwrap().is_empty());
    }
}
