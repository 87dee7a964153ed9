//! The one place where values become bytes and back: serde + bincode 2
//! (standard configuration: little-endian, variable-length integers).
//!
//! bincode's serde mode silently mangles `#[serde(flatten)]`, `untagged`,
//! `tag` and `skip*`; none of the persisted types (the store's image and
//! change types, `Value` and the temporal types) use them, and the
//! round-trip property tests (`tests/storage.rs`) guard that. To swap the
//! codec, change this module and bump [`CODEC`]: files carry the codec id in
//! their header, so an old file is refused instead of misread.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::store::{Changes, Image, ImageRef};

/// The codec id written into file headers.
pub const CODEC: u32 = 1;

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

/// A snapshot's payload.
pub fn encode_image(image: &ImageRef<'_>) -> Result<Vec<u8>, String> {
    encode(image)
}

pub fn decode_image(bytes: &[u8]) -> Result<Image, String> {
    decode(bytes)
}

/// One committed transaction, as a log record holds it.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone)]
pub struct TxRecord {
    /// Transactions are numbered from 1, without gaps, across checkpoints.
    pub txid: u64,
    pub changes: Changes,
}

pub fn encode_tx(tx: &TxRecord) -> Result<Vec<u8>, String> {
    encode(tx)
}

pub fn decode_tx(bytes: &[u8]) -> Result<TxRecord, String> {
    decode(bytes)
}

/// Any serde value (for tests of the codec itself).
#[doc(hidden)]
pub fn round_trip<T: Serialize + DeserializeOwned>(value: &T) -> Result<T, String> {
    decode(&encode(value)?)
}
