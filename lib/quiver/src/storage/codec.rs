//! The one place where values become bytes and back.
//!
//! - Codec 1: serde + bincode 2 (standard configuration: little-endian,
//!   variable-length integers) of the versioned record types of
//!   `records.rs` (never of in-memory types). Log records use it; the first
//!   snapshots of the first file format used it and still open.
//! - Codec 2: the hand-written layout of `snapshot.rs` of the later
//!   snapshots of the first file format (read only); values it has no plain
//!   encoding for (temporal values, maps...) are embedded as codec-1 bytes.
//!
//! Bases (the current file format) are plain arrays laid out by
//! `store/base`, beside this module; the few values they hold as bytes
//! (lists, temporal values) have their own small encoding there.
//!
//! bincode's serde mode silently mangles `#[serde(flatten)]`, `untagged`,
//! `tag` and `skip*`; none of the record types use them, and the
//! round-trip property tests (`tests/storage.rs`) and the pinned bytes of
//! `records.rs` guard that. To swap the
//! codec, change this module and bump [`CODEC`]: files carry the codec id in
//! their header, so an old file is refused instead of misread.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::records::{ImageV1, TxRecordV1, TxRecordV2, ValueV1};
use super::snapshot;
pub use super::snapshot::ReadError;
use crate::store::base::BaseBuilder;
use crate::store::{Catalog, Changes, Image};
use crate::value::Value;

/// The codec of the last snapshots of the first format (still read).
pub const CODEC: u32 = 2;
/// The codec of the first snapshots of the first format (still read).
pub const CODEC_BINCODE: u32 = 1;

/// Whether snapshots of codec `id` can be read.
pub fn readable(id: u32) -> bool {
    id == CODEC || id == CODEC_BINCODE
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    bincode::serde::encode_to_vec(value, config()).map_err(|e| e.to_string())
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    let (value, used) = bincode::serde::decode_from_slice::<T, _>(bytes, config()).map_err(|e| e.to_string())?;
    if used != bytes.len() {
        return Err(format!("{} bytes left over after decoding", bytes.len() - used));
    }
    Ok(value)
}

/// Reads a payload of codec [`CODEC`] as an image (for tests and tools).
pub fn decode_image(bytes: &[u8]) -> Result<Image, String> {
    snapshot::decode_image(&mut snapshot::Slice(bytes)).map_err(|e| match e {
        ReadError::Malformed(m) | ReadError::Inconsistent(m) => m,
        ReadError::Source(e) => e.message,
    })
}

/// Reads the payload of a file in the first format (codec `codec`) into a
/// base builder, names mapped into `catalog`.
pub fn decode_legacy(codec: u32, src: &mut dyn snapshot::Source, catalog: &Catalog) -> Result<BaseBuilder, ReadError> {
    match codec {
        CODEC => snapshot::decode_into(src, catalog),
        CODEC_BINCODE => {
            let mut bytes = Vec::new();
            while src.more(&mut bytes)? {}
            let image: ImageV1 = decode(&bytes).map_err(ReadError::Malformed)?;
            drop(bytes);
            let image = image.into_image().map_err(ReadError::Malformed)?;
            snapshot::image_into(image, catalog)
        }
        other => Err(ReadError::Malformed(format!("unknown codec {other}"))),
    }
}

/// A payload of codec 1 from its bytes, as an image (for tests of reading old files).
#[doc(hidden)]
pub fn decode_image_bincode(bytes: &[u8]) -> Result<Image, String> {
    decode::<ImageV1>(bytes)?.into_image()
}

/// One value the snapshot layout has no plain encoding for.
pub(super) fn encode_value(v: &Value) -> Result<Vec<u8>, String> {
    encode(&ValueV1::from(v))
}

pub(super) fn decode_value(bytes: &[u8]) -> Result<Value, String> {
    decode::<ValueV1>(bytes)?.into_value()
}

/// One committed transaction, as a log record holds it.
#[derive(Debug, Clone)]
pub struct TxRecord {
    /// Transactions are numbered from 1, without gaps, across checkpoints.
    pub txid: u64,
    pub changes: Changes,
}

/// The first byte of a log record of version 2 and later, followed by the
/// version: a version-1 record starts with its transaction id, a bincode
/// variable-length integer, whose first byte is never 255.
const RECORD_MARK: u8 = 0xFF;

pub fn encode_tx(tx: &TxRecord) -> Result<Vec<u8>, String> {
    let v1 = TxRecordV1::new(tx.txid, &tx.changes);
    match &tx.changes.constraints {
        None => encode(&v1),
        Some(defs) => {
            let mut out = vec![RECORD_MARK, 2];
            out.extend(encode(&TxRecordV2::new(v1, defs))?);
            Ok(out)
        }
    }
}

pub fn decode_tx(bytes: &[u8]) -> Result<TxRecord, String> {
    let (txid, changes) = match bytes {
        [RECORD_MARK, 2, rest @ ..] => decode::<TxRecordV2>(rest)?.into_changes()?,
        [RECORD_MARK, v, ..] => return Err(format!("a log record of version {v}, newer than this quiver reads")),
        _ => decode::<TxRecordV1>(bytes)?.into_changes()?,
    };
    Ok(TxRecord { txid, changes })
}

/// A log record through its bytes and back (for tests of the codec).
#[doc(hidden)]
pub fn round_trip_tx(tx: &TxRecord) -> Result<TxRecord, String> {
    decode_tx(&encode_tx(tx)?)
}

/// A value through its bytes and back (for tests of the codec).
#[doc(hidden)]
pub fn round_trip_value(v: &Value) -> Result<Value, String> {
    decode_value(&encode_value(v)?)
}
