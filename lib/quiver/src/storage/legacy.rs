//! The first file format (version 1), read so that files written by
//! earlier versions of quiver open (the next checkpoint rewrites them as a
//! base): a fixed header, then the snapshot payload in checksummed frames.
//!
//! ```text
//! offset  size  field
//!      0     8  magic "QUIVERDB"
//!      8     4  format version (little-endian u32: 1)
//!     12     4  codec id of the payload (see codec.rs: 2 now, 1 from
//!               earlier versions, still read)
//!     16     8  generation: bumped by each checkpoint; the log names the
//!               generation it continues
//!     24     8  last transaction id folded into this snapshot
//!     32     8  payload length in bytes
//!     40     4  frame size (65536)
//!     44     8  node count, 52  8  relationship count (for `quiver check`)
//!     60     4  CRC-32 of bytes 0..60
//!     64     …  frames: CRC-32 of the frame's bytes, then up to `frame size`
//!               bytes of payload (the last frame may be shorter)
//! ```

use std::path::Path;

use super::codec::{self, ReadError};
use super::file::{FileHandle, Fs};
use super::snapshot::Source;
use super::{corrupt, io_error, unsupported};
use crate::error::Error;
use crate::store::base::Base;
use crate::store::Catalog;

pub const MAGIC: &[u8; 8] = b"QUIVERDB";
/// The version of this format.
pub const VERSION: u32 = 1;
pub const HEADER_LEN: usize = 64;
pub const FRAME: usize = 64 * 1024;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub version: u32,
    pub codec: u32,
    pub generation: u64,
    pub last_txid: u64,
    pub payload_len: u64,
    pub frame: u32,
    pub nodes: u64,
    pub rels: u64,
}

impl Header {
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..8].copy_from_slice(MAGIC);
        b[8..12].copy_from_slice(&self.version.to_le_bytes());
        b[12..16].copy_from_slice(&self.codec.to_le_bytes());
        b[16..24].copy_from_slice(&self.generation.to_le_bytes());
        b[24..32].copy_from_slice(&self.last_txid.to_le_bytes());
        b[32..40].copy_from_slice(&self.payload_len.to_le_bytes());
        b[40..44].copy_from_slice(&self.frame.to_le_bytes());
        b[44..52].copy_from_slice(&self.nodes.to_le_bytes());
        b[52..60].copy_from_slice(&self.rels.to_le_bytes());
        let crc = crc32fast::hash(&b[0..60]);
        b[60..64].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Reads and checks a header: magic, version, codec, checksum.
    pub fn decode(file: &Path, b: &[u8]) -> Result<Header, Error> {
        if b.len() < 8 || &b[0..8] != MAGIC {
            let what = if b.starts_with(b"SQLite format 3\0") {
                "it is an SQLite database".to_string()
            } else if b.starts_with(super::wal::MAGIC) {
                "it is a quiver log (-wal) file; open the main file instead".to_string()
            } else {
                "it does not start with quiver's magic bytes".to_string()
            };
            return Err(unsupported(file, &format!("not a quiver database: {what}")));
        }
        if b.len() < HEADER_LEN {
            return Err(corrupt(file, b.len() as u64, "the file ends inside its header"));
        }
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let version = u32_at(8);
        if crc32fast::hash(&b[0..60]) != u32_at(60) {
            return Err(corrupt(file, 0, "header checksum mismatch"));
        }
        if version > VERSION {
            return Err(unsupported(
                file,
                &format!(
                    "written by a newer quiver (file format version {version}; this quiver reads version {VERSION} and older)"
                ),
            ));
        }
        if version == 0 {
            return Err(corrupt(file, 8, "format version 0"));
        }
        let codec = u32_at(12);
        if !codec::readable(codec) {
            return Err(unsupported(
                file,
                &format!(
                    "encoded with codec {codec}; this quiver reads codecs {} and {}",
                    codec::CODEC_BINCODE,
                    codec::CODEC
                ),
            ));
        }
        let frame = u32_at(40);
        if frame == 0 {
            return Err(corrupt(file, 40, "frame size 0"));
        }
        Ok(Header {
            version,
            codec,
            generation: u64_at(16),
            last_txid: u64_at(24),
            payload_len: u64_at(32),
            frame,
            nodes: u64_at(44),
            rels: u64_at(52),
        })
    }
}

/// The whole main file for a payload.
pub fn file_bytes(header: &Header, payload: &[u8]) -> Vec<u8> {
    let frames = payload.len().div_ceil(FRAME);
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len() + 4 * frames);
    out.extend_from_slice(&header.encode());
    for chunk in payload.chunks(FRAME) {
        out.extend_from_slice(&crc32fast::hash(chunk).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

/// Reads the whole main file.
pub fn read_all(fs: &dyn Fs, path: &Path) -> Result<Vec<u8>, Error> {
    let mut f = fs
        .open(path, true, false)
        .map_err(|e| io_error(path, None, "open", &e))?;
    let len = f.size().map_err(|e| io_error(path, None, "stat", &e))?;
    let mut buf = vec![0u8; len as usize];
    f.read_at(0, &mut buf)
        .map_err(|e| io_error(path, Some(0), "read", &e))?;
    Ok(buf)
}

/// Checks the header and every frame; returns the header and the payload.
pub fn verify(file: &Path, bytes: &[u8]) -> Result<(Header, Vec<u8>), Error> {
    let header = Header::decode(file, bytes)?;
    let frame = header.frame as usize;
    let mut payload = Vec::with_capacity(header.payload_len as usize);
    let mut pos = HEADER_LEN;
    let mut left = header.payload_len as usize;
    while left > 0 {
        let n = left.min(frame);
        if pos + 4 + n > bytes.len() {
            return Err(corrupt(
                file,
                pos as u64,
                &format!(
                    "the snapshot is cut short: {} bytes of {} present",
                    bytes.len(),
                    header_total(&header)
                ),
            ));
        }
        let crc = u32::from_le_bytes(bytes[pos..pos + 4].try_into().expect("4 bytes"));
        let data = &bytes[pos + 4..pos + 4 + n];
        if crc32fast::hash(data) != crc {
            return Err(corrupt(
                file,
                pos as u64,
                &format!("snapshot frame checksum mismatch (bytes {}..{})", pos, pos + 4 + n),
            ));
        }
        payload.extend_from_slice(data);
        pos += 4 + n;
        left -= n;
    }
    if pos != bytes.len() {
        return Err(corrupt(
            file,
            pos as u64,
            &format!("{} unexpected bytes after the snapshot", bytes.len() - pos),
        ));
    }
    Ok((header, payload))
}

fn header_total(h: &Header) -> u64 {
    let frames = h.payload_len.div_ceil(h.frame as u64);
    HEADER_LEN as u64 + h.payload_len + 4 * frames
}

/// Decodes a payload into a base (in memory), names mapped into `catalog`.
pub fn decode_payload(path: &Path, header: &Header, src: &mut dyn Source, catalog: &Catalog) -> Result<Base, Error> {
    let builder = codec::decode_legacy(header.codec, src, catalog).map_err(|e| match e {
        codec::ReadError::Source(e) => *e,
        codec::ReadError::Malformed(e) => corrupt(
            path,
            HEADER_LEN as u64,
            &format!("the snapshot's checksums match but it does not decode: {e}"),
        ),
        codec::ReadError::Inconsistent(e) => {
            corrupt(path, HEADER_LEN as u64, &format!("the snapshot is inconsistent: {e}"))
        }
    })?;
    let inconsistent = |e: String| corrupt(path, HEADER_LEN as u64, &format!("the snapshot is inconsistent: {e}"));
    let built = builder
        .finish(catalog, header.generation, header.last_txid)
        .map_err(inconsistent)?;
    Base::in_memory(built, catalog).map_err(|(_, e)| inconsistent(e))
}

/// The payload of a main file, read a few frames at a time, each checked
/// against its checksum before it is handed over.
struct Frames<'a> {
    file: Box<dyn FileHandle>,
    path: &'a Path,
    frame: usize,
    /// File offset of the next frame.
    pos: u64,
    /// Payload bytes in the frames not yet read.
    left: u64,
    /// Raw frames as read (reused).
    raw: Vec<u8>,
}

/// Frames read at a time (about 1 MiB).
const FRAMES_AT_ONCE: usize = 16;

impl Source for Frames<'_> {
    fn more(&mut self, buf: &mut Vec<u8>) -> Result<bool, ReadError> {
        if self.left == 0 {
            return Ok(false);
        }
        let frames = self.left.div_ceil(self.frame as u64).min(FRAMES_AT_ONCE as u64) as usize;
        let payload = (frames as u64 * self.frame as u64).min(self.left) as usize;
        let len = payload + 4 * frames;
        self.raw.resize(len, 0);
        self.file
            .read_at(self.pos, &mut self.raw)
            .map_err(|e| ReadError::Source(Box::new(io_error(self.path, Some(self.pos), "read", &e))))?;
        let mut at = 0;
        let mut left = payload;
        while left > 0 {
            let n = left.min(self.frame);
            let crc = u32::from_le_bytes(self.raw[at..at + 4].try_into().expect("4 bytes"));
            let data = &self.raw[at + 4..at + 4 + n];
            if crc32fast::hash(data) != crc {
                let pos = self.pos + at as u64;
                return Err(ReadError::Source(Box::new(corrupt(
                    self.path,
                    pos,
                    &format!(
                        "snapshot frame checksum mismatch (bytes {}..{})",
                        pos,
                        pos + 4 + n as u64
                    ),
                ))));
            }
            buf.extend_from_slice(data);
            at += 4 + n;
            left -= n;
        }
        self.pos += len as u64;
        self.left -= payload as u64;
        Ok(true)
    }

    fn remaining(&self) -> u64 {
        self.left
    }
}

/// Reads, verifies and decodes a snapshot: its header, the graph (as a base
/// in memory), and the file's size. The payload is read and checked a piece
/// at a time as it is decoded; the file's length is checked against the
/// header first.
pub fn read_snapshot(fs: &dyn Fs, path: &Path, catalog: &Catalog) -> Result<(Header, Base, u64), Error> {
    let mut file = fs
        .open(path, true, false)
        .map_err(|e| io_error(path, None, "open", &e))?;
    let size = file.size().map_err(|e| io_error(path, None, "stat", &e))?;
    let mut head = vec![0u8; (size as usize).min(HEADER_LEN)];
    file.read_at(0, &mut head)
        .map_err(|e| io_error(path, Some(0), "read", &e))?;
    let header = Header::decode(path, &head)?;
    // Where the frames end, by the header; the file must end there too.
    let frame = header.frame as u64;
    let mut pos = HEADER_LEN as u64;
    let mut left = header.payload_len;
    while left > 0 {
        let n = left.min(frame);
        if pos + 4 + n > size {
            return Err(corrupt(
                path,
                pos,
                &format!(
                    "the snapshot is cut short: {} bytes of {} present",
                    size,
                    header_total(&header)
                ),
            ));
        }
        pos += 4 + n;
        left -= n;
    }
    if pos != size {
        return Err(corrupt(
            path,
            pos,
            &format!("{} unexpected bytes after the snapshot", size - pos),
        ));
    }
    let mut frames = Frames {
        file,
        path,
        frame: header.frame as usize,
        pos: HEADER_LEN as u64,
        left: header.payload_len,
        raw: Vec::new(),
    };
    let base = decode_payload(path, &header, &mut frames, catalog)?;
    Ok((header, base, size))
}
