//! Snapshot files of a server's derived state (issue 18, fast restart): the match index and
//! the rest of the mirror ([`crate::mirror`]), saved so that a restart loads them instead of
//! rebuilding them from every row, then catches up from the register's change sequence.
//!
//! A snapshot is derived state and never trusted blindly. The file is
//! `MAGIC | header | payload | trailer`: the header says which register (its random id),
//! schema version, model (fingerprint), build of `jejak` (length and CRC-32 of the
//! executable: the payload's layout is the code's) and format it was written by, and the
//! change number it reflects; the trailer holds the length and CRC-32 of header and payload.
//! A file that is truncated, extended, fails its checksum or does not decode is
//! [`SnapshotError::Corrupt`]; one written for another register, schema, model, build or
//! format, or ahead of the register (a restored older database), is
//! [`SnapshotError::Mismatch`]. Either way the caller rebuilds from the rows: the decoded
//! state is only handed out once the checksum over the whole file has been verified.
//!
//! Files are written to a temporary name beside the target, synced, then renamed over it, so
//! a crash while writing leaves the previous snapshot (or none), never half a file.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use bincode::Options;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// First bytes of every snapshot file.
const MAGIC: &[u8; 8] = b"JEJAKSN1";

/// Version of the file layout; raise it when the header or the framing changes.
pub const FORMAT_VERSION: u32 = 1;

/// Payload length (u64) and CRC-32 (u32), little-endian, at the end of the file.
const TRAILER_LEN: u64 = 12;

/// Read and write buffers: large, so the checksum runs over long slices.
const BUFFER: usize = 1 << 20;

/// What went wrong with a snapshot file.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("no snapshot at {0}")]
    Missing(PathBuf),
    #[error("snapshot corrupt: {0}")]
    Corrupt(String),
    #[error("snapshot does not match: {0}")]
    Mismatch(String),
    #[error("snapshot file: {0}")]
    Io(#[from] std::io::Error),
}

/// What a snapshot must have been written for to be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub format: u32,
    /// The register's random id (`jejak_store::RegisterIdentity::id`).
    pub register: String,
    /// The highest migration applied to the register.
    pub schema: i64,
    /// `jejak_matching::Model::fingerprint` of the model in use.
    pub model: u64,
    /// The running executable (see [`build_id`]).
    pub build: u64,
}

impl Identity {
    /// Why a snapshot written for `self` cannot be used by `expected`; `None` when it can.
    fn mismatch(&self, expected: &Identity) -> Option<String> {
        if self.format != expected.format {
            return Some(format!("format {} (expected {})", self.format, expected.format));
        }
        if self.register != expected.register {
            return Some("written for another register".to_owned());
        }
        if self.schema != expected.schema {
            return Some(format!(
                "schema version {} (register at {})",
                self.schema, expected.schema
            ));
        }
        if self.model != expected.model {
            return Some("written under another matching model".to_owned());
        }
        if self.build != expected.build {
            return Some("written by another build of jejak".to_owned());
        }
        None
    }
}

/// A snapshot's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub identity: Identity,
    /// The register-wide change number the state reflects: everything committed up to it.
    pub change_seq: i64,
    /// Applications held (for the log).
    pub applications: u64,
}

/// An identifier of the running executable: its length and CRC-32 (computed once per
/// process). A snapshot's payload is laid out by the code that wrote it, so only the same
/// build reads it back; 0 when the executable cannot be read (then nothing matches it
/// except another process that could not read its own either: a snapshot is still checked
/// by its checksum and format).
pub fn build_id() -> u64 {
    static BUILD: OnceLock<u64> = OnceLock::new();
    *BUILD.get_or_init(|| {
        let Ok(path) = std::env::current_exe() else { return 0 };
        let Ok(file) = File::open(path) else { return 0 };
        let mut reader = CrcReader::new(file);
        match std::io::copy(&mut reader, &mut std::io::sink()) {
            Ok(len) => (len << 32) ^ u64::from(reader.hasher.finalize()),
            Err(_) => 0,
        }
    })
}

fn options() -> impl Options {
    bincode::DefaultOptions::new().with_fixint_encoding().with_little_endian()
}

/// Writes `payload` under `header` to `path` atomically (temporary file, sync, rename).
/// Returns the file's length in bytes.
pub fn write<T: Serialize>(
    path: &Path,
    header: &Header,
    payload: &T,
) -> Result<u64, SnapshotError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    let written = write_file(&temporary, header, payload);
    match written {
        Ok(len) => {
            std::fs::rename(&temporary, path)?;
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                // The rename itself is durable once the directory is synced.
                File::open(dir)?.sync_all()?;
            }
            Ok(len)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&temporary);
            Err(e)
        }
    }
}

fn write_file<T: Serialize>(
    path: &Path,
    header: &Header,
    payload: &T,
) -> Result<u64, SnapshotError> {
    let mut file = File::create(path)?;
    file.write_all(MAGIC)?;
    let mut writer = BufWriter::with_capacity(BUFFER, CrcWriter::new(file));
    let encode = |e: bincode::Error| SnapshotError::Io(std::io::Error::other(e));
    options().serialize_into(&mut writer, header).map_err(encode)?;
    options().serialize_into(&mut writer, payload).map_err(encode)?;
    let crc_writer = writer.into_inner().map_err(|e| e.into_error())?;
    let (mut file, len, crc) = (crc_writer.inner, crc_writer.len, crc_writer.hasher.finalize());
    file.write_all(&len.to_le_bytes())?;
    file.write_all(&crc.to_le_bytes())?;
    file.sync_all()?;
    Ok(MAGIC.len() as u64 + len + TRAILER_LEN)
}

/// Reads the snapshot at `path` if it was written for `expected` and reflects no change
/// after `register_seq` (the register's current change number). The header is checked
/// before the payload is decoded, the checksum before the payload is returned.
pub fn read<T: DeserializeOwned>(
    path: &Path,
    expected: &Identity,
    register_seq: i64,
) -> Result<(Header, T), SnapshotError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SnapshotError::Missing(path.to_owned()));
        }
        Err(e) => return Err(e.into()),
    };
    let file_len = file.metadata()?.len();
    let framing = MAGIC.len() as u64 + TRAILER_LEN;
    if file_len < framing {
        return Err(SnapshotError::Corrupt(format!("{file_len} bytes: truncated")));
    }
    let mut magic = [0u8; 8];
    file.read_exact(&mut magic)?;
    if &magic != MAGIC {
        return Err(SnapshotError::Corrupt("not a Jejak snapshot file".to_owned()));
    }
    file.seek(SeekFrom::End(-(TRAILER_LEN as i64)))?;
    let mut trailer = [0u8; TRAILER_LEN as usize];
    file.read_exact(&mut trailer)?;
    let (len_bytes, crc_bytes) = trailer.split_at(8);
    let payload_len = u64::from_le_bytes(len_bytes.try_into().unwrap_or([0xff; 8]));
    let expected_crc = u32::from_le_bytes(crc_bytes.try_into().unwrap_or([0; 4]));
    if payload_len != file_len - framing {
        return Err(SnapshotError::Corrupt(format!(
            "{file_len} bytes, the trailer says {}: truncated or extended",
            payload_len.saturating_add(framing)
        )));
    }
    file.seek(SeekFrom::Start(MAGIC.len() as u64))?;
    let mut reader = BufReader::with_capacity(BUFFER, CrcReader::new(file.take(payload_len)));
    // Lengths inside the payload are bounded by what is left of it, so a damaged length
    // fails to decode instead of asking for a huge allocation.
    let mut decoder =
        bincode::Deserializer::with_reader(&mut reader, options().with_limit(payload_len));
    let undecodable = |e: bincode::Error| SnapshotError::Corrupt(format!("does not decode: {e}"));
    let header = Header::deserialize(&mut decoder).map_err(undecodable)?;
    if let Some(why) = header.identity.mismatch(expected) {
        return Err(SnapshotError::Mismatch(why));
    }
    if header.change_seq > register_seq {
        return Err(SnapshotError::Mismatch(format!(
            "reflects change {} but the register is at {register_seq} (a restored copy?)",
            header.change_seq
        )));
    }
    let payload = T::deserialize(&mut decoder).map_err(undecodable)?;
    drop(decoder);
    // Whatever the decoder did not consume still counts for the checksum.
    let rest = std::io::copy(&mut reader, &mut std::io::sink())?;
    if rest != 0 {
        return Err(SnapshotError::Corrupt(format!("{rest} bytes after the payload")));
    }
    let crc = reader.into_inner().hasher.finalize();
    if crc != expected_crc {
        return Err(SnapshotError::Corrupt(format!(
            "checksum {crc:08x}, the trailer says {expected_crc:08x}"
        )));
    }
    Ok((header, payload))
}

/// Counts and checksums what passes through to `inner`.
struct CrcWriter<W> {
    inner: W,
    hasher: crc32fast::Hasher,
    len: u64,
}

impl<W> CrcWriter<W> {
    fn new(inner: W) -> Self {
        Self { inner, hasher: crc32fast::Hasher::new(), len: 0 }
    }
}

impl<W: Write> Write for CrcWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Checksums what is read from `inner`.
struct CrcReader<R> {
    inner: R,
    hasher: crc32fast::Hasher,
}

impl<R> CrcReader<R> {
    fn new(inner: R) -> Self {
        Self { inner, hasher: crc32fast::Hasher::new() }
    }
}

impl<R: Read> Read for CrcReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity { format: FORMAT_VERSION, register: "r1".into(), schema: 17, model: 7, build: 9 }
    }

    fn header(seq: i64) -> Header {
        Header { identity: identity(), change_seq: seq, applications: 3 }
    }

    #[test]
    fn a_written_snapshot_reads_back_and_any_damage_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/index.snapshot");
        let payload: Vec<(u32, String)> = (0..5_000).map(|i| (i, format!("row {i}"))).collect();
        let len = write(&path, &header(42), &payload).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
        let (read_header, read_payload): (Header, Vec<(u32, String)>) =
            read(&path, &identity(), 42).unwrap();
        assert_eq!(read_header, header(42));
        assert_eq!(read_payload, payload);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path().join("sub")).unwrap().count(), 1);

        let bytes = std::fs::read(&path).unwrap();
        // Every byte flipped in turn at a few places: header, payload, trailer.
        for at in [3, 12, 40, bytes.len() / 2, bytes.len() - 20, bytes.len() - 2] {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x20;
            std::fs::write(&path, &damaged).unwrap();
            let outcome = read::<Vec<(u32, String)>>(&path, &identity(), 42);
            assert!(
                matches!(outcome, Err(SnapshotError::Corrupt(_) | SnapshotError::Mismatch(_))),
                "byte {at} flipped: {outcome:?}"
            );
        }
        for keep in [0, 10, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..keep]).unwrap();
            let outcome = read::<Vec<(u32, String)>>(&path, &identity(), 42);
            assert!(matches!(outcome, Err(SnapshotError::Corrupt(_))), "{keep} bytes: {outcome:?}");
        }
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            read::<Vec<(u32, String)>>(&path, &identity(), 42),
            Err(SnapshotError::Missing(_))
        ));
    }

    #[test]
    fn a_snapshot_for_another_register_schema_model_build_or_a_later_change_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.snapshot");
        write(&path, &header(42), &vec![1u8, 2, 3]).unwrap();
        let others = [
            Identity { register: "r2".into(), ..identity() },
            Identity { schema: 18, ..identity() },
            Identity { model: 8, ..identity() },
            Identity { build: 10, ..identity() },
            Identity { format: FORMAT_VERSION + 1, ..identity() },
        ];
        for other in others {
            let outcome = read::<Vec<u8>>(&path, &other, 42);
            assert!(matches!(outcome, Err(SnapshotError::Mismatch(_))), "{other:?}: {outcome:?}");
        }
        let ahead = read::<Vec<u8>>(&path, &identity(), 41);
        assert!(matches!(ahead, Err(SnapshotError::Mismatch(_))), "{ahead:?}");
        assert!(read::<Vec<u8>>(&path, &identity(), 50).is_ok());
    }
}
