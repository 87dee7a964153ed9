//! The one place where values become bytes and back.
//!
//! - Codec 2 (snapshots written now): the hand-written layout of
//!   `snapshot.rs`, read straight into the store; values it has no plain
//!   encoding for (temporal values, maps...) are embedded as codec-1 bytes.
//! - Codec 1: serde + bincode 2 (standard configuration: little-endian,
//!   variable-length integers) of the versioned record types of
//!   `records.rs` (never of in-memory types). Log records use it; snapshots
//!   written by earlier versions of quiver use it and still open.
//!
//! bincode's serde mode silently mangles `#[serde(flatten)]`, `untagged`,
//! `tag` and `skip*`; none of the record types use them, and the
//! round-trip property tests (`tests/storage.rs`) and the pinned bytes of
//! `records.rs` guard that. To swap the
//! codec, change this module and bump [`CODEC`]: files carry the codec id in
//! their header, so an old file is refused instead of misread.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::records::{ImageV1, TxRecordV1, ValueV1};
use super::snapshot;
pub use super::snapshot::ReadError;
use crate::store::{Changes, Graph, Image, ImageRef};
use crate::value::Value;

/// The codec id written into the headers of new snapshots.
pub const CODEC: u32 = 2;
/// The codec of snapshots written by earlier versions (still read).
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

/// A snapshot's payload (codec [`CODEC`]).
pub fn encode_image(image: &ImageRef<'_>) -> Result<Vec<u8>, String> {
    snapshot::encode_image(image)
}

/// A snapshot's payload (codec [`CODEC`]) of the graph as it is now.
pub fn encode_graph(graph: &Graph) -> Result<Vec<u8>, String> {
    snapshot::encode_graph(graph)
}

/// Reads a payload of codec [`CODEC`] as an image.
pub fn decode_image(bytes: &[u8]) -> Result<Image, String> {
    snapshot::decode_image(&mut snapshot::Slice(bytes)).map_err(|e| match e {
        ReadError::Malformed(m) | ReadError::Inconsistent(m) => m,
        ReadError::Source(e) => e.message,
    })
}

/// Reads a snapshot payload of codec `codec` into a graph.
pub fn decode_snapshot(codec: u32, bytes: &[u8]) -> Result<Graph, ReadError> {
    decode_snapshot_from(codec, &mut snapshot::Slice(bytes))
}

/// [`decode_snapshot`] from a source that hands the payload over a piece
/// at a time (codec 2 reads it so; codec 1 needs it whole first).
pub fn decode_snapshot_from(codec: u32, src: &mut dyn snapshot::Source) -> Result<Graph, ReadError> {
    match codec {
        CODEC => snapshot::decode_graph(src),
        CODEC_BINCODE => {
            let mut bytes = Vec::new();
            while src.more(&mut bytes)? {}
            let image: ImageV1 = decode(&bytes).map_err(ReadError::Malformed)?;
            drop(bytes);
            let image = image.into_image().map_err(ReadError::Malformed)?;
            Graph::from_image(image).map_err(|e| ReadError::Inconsistent(e.0))
        }
        other => Err(ReadError::Malformed(format!("unknown codec {other}"))),
    }
}

/// One value the snapshot layout has no plain encoding for.
pub(super) fn encode_value(v: &Value) -> Result<Vec<u8>, String> {
    encode(&ValueV1::from(v))
}

pub(super) fn decode_value(bytes: &[u8]) -> Result<Value, String> {
    decode::<ValueV1>(bytes)?.into_value()
}

/// A payload of codec 1, as earlier versions wrote snapshots (for tests of
/// reading old files).
#[doc(hidden)]
pub fn encode_image_bincode(image: &ImageRef<'_>) -> Result<Vec<u8>, String> {
    encode(&ImageV1::new(image))
}

/// One committed transaction, as a log record holds it.
#[derive(Debug, Clone)]
pub struct TxRecord {
    /// Transactions are numbered from 1, without gaps, across checkpoints.
    pub txid: u64,
    pub changes: Changes,
}

pub fn encode_tx(tx: &TxRecord) -> Result<Vec<u8>, String> {
    encode(&TxRecordV1::new(tx.txid, &tx.changes))
}

pub fn decode_tx(bytes: &[u8]) -> Result<TxRecord, String> {
    let (txid, changes) = decode::<TxRecordV1>(bytes)?.into_changes()?;
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
