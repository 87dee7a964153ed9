//! PackStream decoding (PackStream version 1, "Data types") of bytes from
//! the network, which are hostile: every marker is accepted in every width,
//! reserved markers are errors, and nothing is allocated for a size the peer
//! claims before the bytes are there (a list of n items needs at least n
//! bytes left, a dictionary 2n). Nesting depth, collection sizes and the total
//! number of values are bounded by [`Limits`].

use std::collections::HashMap;

use super::encode::*;
use super::value::{Dict, PackValue, Structure};

/// Bounds on what one decoded message may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Nesting of lists, dictionaries and structures.
    pub max_depth: usize,
    /// Items of one list or entries of one dictionary.
    pub max_collection_len: usize,
    /// Values in one message, all levels counted.
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_collection_len: 1 << 20,
            max_values: 2 << 20,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the data ends in the middle of a value (at byte {0})")]
    Truncated(usize),
    #[error("marker 0x{marker:02X} at byte {at} is reserved in PackStream")]
    ReservedMarker { marker: u8, at: usize },
    #[error("a string at byte {0} is not valid UTF-8")]
    InvalidUtf8(usize),
    #[error("a dictionary key at byte {0} is not a string")]
    NonStringKey(usize),
    #[error("size {size} at byte {at} is over the limit of {limit}")]
    TooLarge { size: u64, at: usize, limit: usize },
    #[error("values nest deeper than {0} levels")]
    TooDeep(usize),
    #[error("the message holds more than {0} values")]
    TooManyValues(usize),
    #[error("{0} bytes follow the value")]
    TrailingBytes(usize),
}

/// Decodes values one after another from a byte slice.
pub struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    limits: Limits,
    values: usize,
}

impl<'a> Decoder<'a> {
    pub fn new(buf: &'a [u8], limits: Limits) -> Decoder<'a> {
        Decoder {
            buf,
            pos: 0,
            limits,
            values: 0,
        }
    }

    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.remaining() < n {
            return Err(DecodeError::Truncated(self.buf.len()));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn be<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    /// The size after an 8-, 16- or 32-bit size marker (`width` 0, 1, 2).
    fn size(&mut self, width: u8) -> Result<u64, DecodeError> {
        Ok(match width {
            0 => self.u8()? as u64,
            1 => u16::from_be_bytes(self.be()?) as u64,
            _ => u32::from_be_bytes(self.be()?) as u64,
        })
    }

    /// Checks a claimed size against the limit and against the bytes left
    /// (`min_bytes` per item), before anything is allocated for it.
    fn check_size(&self, size: u64, at: usize, min_bytes: u64, limit: usize) -> Result<usize, DecodeError> {
        if size > limit as u64 || size > MAX_SIZE as u64 {
            return Err(DecodeError::TooLarge { size, at, limit });
        }
        if size.saturating_mul(min_bytes) > self.remaining() as u64 {
            return Err(DecodeError::Truncated(self.buf.len()));
        }
        Ok(size as usize)
    }

    /// The next value, nested values included.
    pub fn decode(&mut self) -> Result<PackValue, DecodeError> {
        self.value(0)
    }

    /// Exactly one value filling the whole buffer.
    pub fn decode_all(buf: &'a [u8], limits: Limits) -> Result<PackValue, DecodeError> {
        let mut d = Decoder::new(buf, limits);
        let v = d.decode()?;
        match d.remaining() {
            0 => Ok(v),
            n => Err(DecodeError::TrailingBytes(n)),
        }
    }

    fn count(&mut self) -> Result<(), DecodeError> {
        self.values += 1;
        if self.values > self.limits.max_values {
            return Err(DecodeError::TooManyValues(self.limits.max_values));
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<PackValue, DecodeError> {
        self.count()?;
        let at = self.pos;
        let marker = self.u8()?;
        Ok(match marker {
            0x00..=0x7F => PackValue::Int(marker as i64),
            0xF0..=0xFF => PackValue::Int(marker as i8 as i64),
            NULL => PackValue::Null,
            FALSE => PackValue::Bool(false),
            TRUE => PackValue::Bool(true),
            FLOAT_64 => PackValue::Float(f64::from_bits(u64::from_be_bytes(self.be()?))),
            INT_8 => PackValue::Int(self.u8()? as i8 as i64),
            INT_16 => PackValue::Int(i16::from_be_bytes(self.be()?) as i64),
            INT_32 => PackValue::Int(i32::from_be_bytes(self.be()?) as i64),
            INT_64 => PackValue::Int(i64::from_be_bytes(self.be()?)),
            BYTES_8 | BYTES_16 | BYTES_32 => {
                let size = self.size(marker - BYTES_8)?;
                let n = self.check_size(size, at, 1, MAX_SIZE)?;
                PackValue::Bytes(self.take(n)?.to_vec())
            }
            0x80..=0x8F => PackValue::String(self.string((marker & 0x0F) as usize, at)?),
            STRING_8 | STRING_16 | STRING_32 => {
                let size = self.size(marker - STRING_8)?;
                let n = self.check_size(size, at, 1, MAX_SIZE)?;
                PackValue::String(self.string(n, at)?)
            }
            0x90..=0x9F => self.list((marker & 0x0F) as usize, depth)?,
            LIST_8 | LIST_16 | LIST_32 => {
                let size = self.size(marker - LIST_8)?;
                let n = self.check_size(size, at, 1, self.limits.max_collection_len)?;
                self.list(n, depth)?
            }
            0xA0..=0xAF => self.dict((marker & 0x0F) as usize, depth)?,
            MAP_8 | MAP_16 | MAP_32 => {
                let size = self.size(marker - MAP_8)?;
                let n = self.check_size(size, at, 2, self.limits.max_collection_len)?;
                self.dict(n, depth)?
            }
            0xB0..=0xBF => {
                let n = (marker & 0x0F) as usize;
                let tag = self.u8()?;
                self.enter(depth)?;
                let fields = self.items(n, depth)?;
                PackValue::Struct(Structure { tag, fields })
            }
            _ => return Err(DecodeError::ReservedMarker { marker, at }),
        })
    }

    fn enter(&self, depth: usize) -> Result<(), DecodeError> {
        if depth >= self.limits.max_depth {
            Err(DecodeError::TooDeep(self.limits.max_depth))
        } else {
            Ok(())
        }
    }

    fn string(&mut self, n: usize, at: usize) -> Result<String, DecodeError> {
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|_| DecodeError::InvalidUtf8(at))
    }

    fn items(&mut self, n: usize, depth: usize) -> Result<Vec<PackValue>, DecodeError> {
        // `n` is at most the bytes left (checked above), so this is bounded by the message.
        let mut items = Vec::with_capacity(n.min(self.remaining()));
        for _ in 0..n {
            items.push(self.value(depth + 1)?);
        }
        Ok(items)
    }

    fn list(&mut self, n: usize, depth: usize) -> Result<PackValue, DecodeError> {
        self.enter(depth)?;
        Ok(PackValue::List(self.items(n, depth)?))
    }

    fn dict(&mut self, n: usize, depth: usize) -> Result<PackValue, DecodeError> {
        self.enter(depth)?;
        let mut entries: Vec<(String, PackValue)> = Vec::with_capacity(n.min(self.remaining() / 2));
        // Index of each key once there are enough entries for a linear search to hurt.
        let mut index: HashMap<String, usize> = HashMap::new();
        for _ in 0..n {
            let at = self.pos;
            let key = match self.value(depth + 1)? {
                PackValue::String(s) => s,
                _ => return Err(DecodeError::NonStringKey(at)),
            };
            let value = self.value(depth + 1)?;
            // The last of several entries with one key wins.
            let existing = if entries.len() < 16 {
                entries.iter().position(|(k, _)| *k == key)
            } else {
                if index.is_empty() {
                    index = entries.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)).collect();
                }
                index.get(&key).copied()
            };
            match existing {
                Some(i) => entries[i].1 = value,
                None => {
                    if !index.is_empty() || entries.len() >= 16 {
                        index.insert(key.clone(), entries.len());
                    }
                    entries.push((key, value));
                }
            }
        }
        Ok(PackValue::Dict(Dict::from_unique_entries(entries)))
    }
}
