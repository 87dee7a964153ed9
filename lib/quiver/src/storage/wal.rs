//! The write-ahead log (`FILE-wal`): committed transactions since the last
//! checkpoint, one record each, appended and fsync'd before a commit returns.
//!
//! ```text
//! header (32 bytes): magic "QUIVERWL", version u32, 0 u32,
//!                    generation u64 (the snapshot this log continues),
//!                    0 u32, CRC-32 of bytes 0..28
//! record:            payload length u32, CRC-32 of the payload u32,
//!                    CRC-32 of those 8 bytes u32, payload (codec::TxRecord)
//! ```
//!
//! A damaged record followed by an intact one is corruption (reported, the
//! database is not opened). A damaged or incomplete record at the end is the
//! torn tail of an append that never returned: it is cut (and reported as a
//! warning), since no commit was acknowledged for it.

use std::path::{Path, PathBuf};

use super::codec::{self, TxRecord};
use super::file::FileHandle;
use super::{corrupt, io_error, unsupported};
use crate::error::Error;

pub const MAGIC: &[u8; 8] = b"QUIVERWL";
pub const VERSION: u32 = 1;
pub const HEADER_LEN: u64 = 32;
pub const RECORD_HEADER: usize = 12;

pub fn header_bytes(generation: u64) -> [u8; HEADER_LEN as usize] {
    let mut b = [0u8; HEADER_LEN as usize];
    b[0..8].copy_from_slice(MAGIC);
    b[8..12].copy_from_slice(&VERSION.to_le_bytes());
    b[16..24].copy_from_slice(&generation.to_le_bytes());
    let crc = crc32fast::hash(&b[0..28]);
    b[28..32].copy_from_slice(&crc.to_le_bytes());
    b
}

/// One record's bytes.
pub fn record_bytes(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(RECORD_HEADER + payload.len());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    let hcrc = crc32fast::hash(&out[0..8]);
    out.extend_from_slice(&hcrc.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// What a log file holds.
#[derive(Debug, Default)]
pub struct Scan {
    /// `None`: the file is shorter than a header (a log reset that was cut
    /// short, or a new file): it holds nothing.
    pub generation: Option<u64>,
    /// Records with their offsets.
    pub records: Vec<(u64, TxRecord)>,
    /// Where the intact records end.
    pub valid_end: u64,
    /// A torn tail: its offset and what was wrong.
    pub torn: Option<(u64, String)>,
    pub len: u64,
}

/// Is there an intact record at `pos`? Returns its total length.
fn record_at(bytes: &[u8], pos: usize) -> Result<usize, &'static str> {
    let rest = &bytes[pos..];
    if rest.len() < RECORD_HEADER {
        return Err("incomplete record header");
    }
    let len = u32::from_le_bytes(rest[0..4].try_into().expect("4 bytes")) as usize;
    let crc = u32::from_le_bytes(rest[4..8].try_into().expect("4 bytes"));
    let hcrc = u32::from_le_bytes(rest[8..12].try_into().expect("4 bytes"));
    if crc32fast::hash(&rest[0..8]) != hcrc {
        return Err("record header checksum mismatch");
    }
    if len == 0 {
        return Err("empty record");
    }
    if rest.len() - RECORD_HEADER < len {
        return Err("record runs past the end of the file");
    }
    if crc32fast::hash(&rest[RECORD_HEADER..RECORD_HEADER + len]) != crc {
        return Err("record checksum mismatch");
    }
    Ok(RECORD_HEADER + len)
}

/// Reads a whole log file's bytes into records.
pub fn scan(file: &Path, bytes: &[u8]) -> Result<Scan, Error> {
    let mut s = Scan {
        len: bytes.len() as u64,
        ..Scan::default()
    };
    if bytes.len() < HEADER_LEN as usize {
        s.valid_end = 0;
        return Ok(s);
    }
    if &bytes[0..8] != MAGIC {
        return Err(unsupported(
            file,
            "not a quiver log: it does not start with quiver's log magic bytes",
        ));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if crc32fast::hash(&bytes[0..28]) != u32::from_le_bytes(bytes[28..32].try_into().expect("4 bytes")) {
        return Err(corrupt(file, 0, "log header checksum mismatch"));
    }
    if version > VERSION {
        return Err(unsupported(
            file,
            &format!("written by a newer quiver (log format version {version}; this quiver reads {VERSION})"),
        ));
    }
    s.generation = Some(u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes")));
    let mut pos = HEADER_LEN as usize;
    while pos < bytes.len() {
        match record_at(bytes, pos) {
            Ok(n) => {
                let payload = &bytes[pos + RECORD_HEADER..pos + n];
                let tx = codec::decode_tx(payload).map_err(|e| {
                    corrupt(
                        file,
                        pos as u64,
                        &format!("a log record's checksums match but it does not decode: {e}"),
                    )
                })?;
                s.records.push((pos as u64, tx));
                pos += n;
            }
            Err(why) => {
                // Torn tail, or damage in the middle of the log?
                if let Some(next) = (pos + 1..bytes.len()).find(|&p| record_at(bytes, p).is_ok()) {
                    return Err(corrupt(
                        file,
                        pos as u64,
                        &format!("{why} in a committed log record (an intact record follows at offset {next})"),
                    ));
                }
                s.torn = Some((pos as u64, why.to_string()));
                break;
            }
        }
    }
    s.valid_end = pos as u64;
    Ok(s)
}

/// The generation a log's header names, if `bytes` start with an intact one.
pub fn generation(bytes: &[u8]) -> Option<u64> {
    if bytes.len() < HEADER_LEN as usize || &bytes[0..8] != MAGIC {
        return None;
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    let crc = u32::from_le_bytes(bytes[28..32].try_into().expect("4 bytes"));
    if version > VERSION || crc32fast::hash(&bytes[0..28]) != crc {
        return None;
    }
    Some(u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes")))
}

/// For a reader: the intact records in `bytes`, which start at offset `at`
/// of the log (0: with its header), up to the first that is not (yet)
/// whole — a writer may be appending it. Returns them with their offsets,
/// and where they end.
pub fn follow(file: &Path, bytes: &[u8], at: u64) -> Result<(Vec<(u64, TxRecord)>, u64), Error> {
    let mut pos = if at == 0 { HEADER_LEN as usize } else { 0 };
    let mut records = Vec::new();
    while pos < bytes.len() {
        let Ok(n) = record_at(bytes, pos) else { break };
        let payload = &bytes[pos + RECORD_HEADER..pos + n];
        let tx = codec::decode_tx(payload).map_err(|e| {
            corrupt(
                file,
                at + pos as u64,
                &format!("a log record's checksums match but it does not decode: {e}"),
            )
        })?;
        records.push((at + pos as u64, tx));
        pos += n;
    }
    Ok((
        records,
        at + pos.max(if at == 0 { HEADER_LEN as usize } else { 0 }) as u64,
    ))
}

/// The open log of a writer.
pub struct Wal {
    pub path: PathBuf,
    pub file: Box<dyn FileHandle>,
    /// Where the next record goes.
    pub end: u64,
}

/// An append that failed; `poisoned` when the file's state is unknown.
pub struct AppendError {
    pub error: Error,
    pub poisoned: bool,
}

impl Wal {
    /// Appends one transaction and fsyncs.
    pub fn append(&mut self, tx: &TxRecord) -> Result<(), AppendError> {
        let payload = codec::encode_tx(tx).map_err(|e| AppendError {
            error: Error::io(format!("cannot encode a log record: {e}")),
            poisoned: false,
        })?;
        if payload.len() > u32::MAX as usize {
            return Err(AppendError {
                error: Error::io(format!(
                    "the transaction is too large for one log record ({} bytes; the limit is 4 GiB)",
                    payload.len()
                )),
                poisoned: false,
            });
        }
        let bytes = record_bytes(&payload);
        if let Err(e) = self.file.write_at(self.end, &bytes) {
            let error = io_error(&self.path, Some(self.end), "write", &e);
            // Take back whatever part of the record reached the file.
            let undone = self.file.set_len(self.end).and_then(|_| self.file.sync());
            return Err(AppendError {
                error,
                poisoned: undone.is_err(),
            });
        }
        if let Err(e) = self.file.sync() {
            return Err(AppendError {
                error: io_error(&self.path, Some(self.end), "fsync", &e),
                poisoned: true,
            });
        }
        self.end += bytes.len() as u64;
        Ok(())
    }

    /// Empties the log and starts it over for `generation`.
    pub fn reset(&mut self, generation: u64) -> Result<(), Error> {
        // Truncate first: a header for the new generation must never sit in
        // front of the old generation's records.
        self.file
            .set_len(0)
            .map_err(|e| io_error(&self.path, Some(0), "truncate", &e))?;
        self.file
            .write_at(0, &header_bytes(generation))
            .map_err(|e| io_error(&self.path, Some(0), "write", &e))?;
        self.file
            .sync()
            .map_err(|e| io_error(&self.path, Some(0), "fsync", &e))?;
        self.end = HEADER_LEN;
        Ok(())
    }

    /// Cuts a torn tail.
    pub fn truncate(&mut self, len: u64) -> Result<(), Error> {
        self.file
            .set_len(len)
            .map_err(|e| io_error(&self.path, Some(len), "truncate", &e))?;
        self.file
            .sync()
            .map_err(|e| io_error(&self.path, Some(len), "fsync", &e))?;
        self.end = len;
        Ok(())
    }
}
