//! Codec 2: the snapshot payload of files in the first format (version 1),
//! as plain little-endian records, read straight into a base builder (no
//! intermediate image of the whole graph). Files of that format are only
//! read: the next checkpoint rewrites them in the current one.
//!
//! Every integer is a LEB128 varint unless said otherwise; `str` is a varint
//! length and UTF-8 bytes.
//!
//! ```text
//! u8       layout version (1)
//! varint   next_node, next_rel, node count, relationship count
//! 3 times  name table (labels, types, keys): varint n, n × str
//! nodes    in ascending id order, each:
//!            varint id gap (id - (previous id + 1); the first node: its id)
//!            varint label count, label ids
//!            props
//! indexes  varint n, n × (str name, str label, str key) (here, between
//!          the nodes and the relationships, so that a reader builds them
//!          before the bulk of its memory is taken)
//! rels     in ascending id order, each:
//!            varint id gap, varint start, varint end, varint type id
//!            props
//!
//! props    varint count, then per property (ascending key id):
//!            varint key gap (key - previous key; the first: the key)
//!            value
//! value    u8 tag, then:
//!            0 null | 1 false | 2 true
//!            3 integer: zigzag varint | 4 float: 8 bytes, its bits
//!            5 string: str
//!            6 list: varint n, n × value (nested at most MAX_DEPTH deep)
//!            7 any other value: varint length, codec-1 (bincode) bytes
//! ```
//!
//! The frames around the payload carry CRC-32s (format.rs); this layer
//! checks every length and id against what is left, so a payload damaged
//! in a way the checksums do not see is reported, never a panic or a huge
//! allocation.

use std::sync::Arc;

use super::codec;
use crate::store::base::BaseBuilder;
use crate::store::{ApplyError, Catalog, Image, ImageNode, ImageRel, IndexDef, KeyId, LabelId, Props, TypeId};
use crate::value::Value;

/// The payload layout written (the first byte of the payload).
const LAYOUT: u8 = 1;
/// Ids beyond this are refused as damage (the store could not have held them).
const MAX_ID: u64 = 1 << 36;
/// How deeply lists may nest inside a property value in this layout
/// (deeper ones are written as codec-1 values).
const MAX_DEPTH: usize = 8;

// ---- reading -----------------------------------------------------------

/// Why a payload could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The bytes are not a payload of this layout.
    Malformed(String),
    /// They are, but the graph they describe does not hold together.
    Inconsistent(String),
    /// The bytes could not be had (an I/O error, a frame checksum mismatch).
    Source(Box<crate::error::Error>),
}

/// Where a payload's bytes come from, a piece at a time.
pub trait Source {
    /// Appends the next piece of the payload to `buf`; `false` at its end.
    fn more(&mut self, buf: &mut Vec<u8>) -> Result<bool, ReadError>;
    /// Payload bytes not yet appended.
    fn remaining(&self) -> u64;
}

/// A payload held in memory.
pub struct Slice<'a>(pub &'a [u8]);

impl Source for Slice<'_> {
    fn more(&mut self, buf: &mut Vec<u8>) -> Result<bool, ReadError> {
        if self.0.is_empty() {
            return Ok(false);
        }
        buf.extend_from_slice(self.0);
        self.0 = &[];
        Ok(true)
    }
    fn remaining(&self) -> u64 {
        self.0.len() as u64
    }
}

impl From<ApplyError> for ReadError {
    fn from(e: ApplyError) -> Self {
        ReadError::Inconsistent(e.0)
    }
}

/// Reads a payload from a [`Source`] through a buffer that holds a piece of
/// it at a time (the whole payload is never in memory at once).
struct Reader<'a> {
    buf: Vec<u8>,
    pos: usize,
    /// Payload bytes dropped from the front of `buf`.
    base: u64,
    src: &'a mut dyn Source,
}

fn malformed(what: impl Into<String>) -> ReadError {
    ReadError::Malformed(what.into())
}

impl Reader<'_> {
    /// The payload offset of the next byte.
    fn at(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Payload bytes not yet read.
    fn left(&self) -> u64 {
        (self.buf.len() - self.pos) as u64 + self.src.remaining()
    }

    fn cut(&self) -> ReadError {
        malformed(format!("the payload ends early (at byte {})", self.at()))
    }

    /// Makes at least `n` unread bytes available in `buf`.
    #[cold]
    fn fill(&mut self, n: usize) -> Result<(), ReadError> {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
        while self.buf.len() < n {
            if !self.src.more(&mut self.buf)? {
                return Err(self.cut());
            }
        }
        Ok(())
    }

    #[inline]
    fn u8(&mut self) -> Result<u8, ReadError> {
        if self.pos >= self.buf.len() {
            self.fill(1)?;
        }
        let v = self.buf[self.pos];
        self.pos += 1;
        Ok(v)
    }

    #[inline]
    fn varint(&mut self) -> Result<u64, ReadError> {
        let first = self.u8()?;
        if first < 0x80 {
            return Ok(first as u64);
        }
        let mut v = (first & 0x7f) as u64;
        let mut shift = 7;
        loop {
            let b = self.u8()?;
            if shift == 63 && b > 1 {
                return Err(malformed(format!("an integer overflows at byte {}", self.at() - 1)));
            }
            v |= ((b & 0x7f) as u64) << shift;
            if b < 0x80 {
                return Ok(v);
            }
            shift += 7;
            if shift > 63 {
                return Err(malformed(format!("an integer overflows at byte {}", self.at() - 1)));
            }
        }
    }

    fn u32(&mut self, what: &str) -> Result<u32, ReadError> {
        let v = self.varint()?;
        u32::try_from(v).map_err(|_| malformed(format!("{what} {v} is out of range")))
    }

    /// A count of things each at least `min_bytes` long, checked against
    /// what is left (so that no damaged count makes a huge allocation).
    fn count(&mut self, what: &str, min_bytes: usize) -> Result<usize, ReadError> {
        let n = self.varint()?;
        let left = self.left();
        if n > left / min_bytes.max(1) as u64 {
            return Err(malformed(format!("{n} {what} cannot fit in the {left} bytes left")));
        }
        Ok(n as usize)
    }

    /// The next `n` bytes (checked against what is left before any buffering).
    fn bytes(&mut self, n: usize) -> Result<&[u8], ReadError> {
        if n as u64 > self.left() {
            return Err(self.cut());
        }
        if self.buf.len() - self.pos < n {
            self.fill(n)?;
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn str(&mut self) -> Result<&str, ReadError> {
        let n = self.count("string bytes", 1)?;
        let at = self.at();
        std::str::from_utf8(self.bytes(n)?).map_err(|_| malformed(format!("the string at byte {at} is not UTF-8")))
    }

    fn names(&mut self) -> Result<Vec<Arc<str>>, ReadError> {
        let n = self.count("names", 1)?;
        (0..n).map(|_| self.str().map(Arc::from)).collect()
    }

    fn value(&mut self, depth: usize) -> Result<Value, ReadError> {
        let at = self.at();
        Ok(match self.u8()? {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => {
                let z = self.varint()?;
                Value::Int(((z >> 1) as i64) ^ -((z & 1) as i64))
            }
            4 => {
                let b = self.bytes(8)?;
                Value::Float(f64::from_bits(u64::from_le_bytes(b.try_into().expect("8 bytes"))))
            }
            5 => Value::String(Arc::from(self.str()?)),
            6 if depth < MAX_DEPTH => {
                let n = self.count("list items", 1)?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Value::list(items)
            }
            7 => {
                let n = self.count("value bytes", 1)?;
                let bytes = self.bytes(n)?;
                codec::decode_value(bytes).map_err(|e| malformed(format!("the value at byte {at}: {e}")))?
            }
            tag => return Err(malformed(format!("unknown value tag {tag} at byte {at}"))),
        })
    }

    fn props(&mut self, keys: usize) -> Result<Props, ReadError> {
        let n = self.count("properties", 2)?;
        let mut props = Vec::with_capacity(n);
        let mut key = 0u64;
        for i in 0..n {
            let at = self.at();
            let gap = self.varint()?;
            if i > 0 && gap == 0 {
                return Err(malformed(format!("a property list repeats a key at byte {at}")));
            }
            key += gap;
            if key >= keys as u64 {
                return Err(malformed(format!(
                    "property key {key} at byte {at} is not in the key table"
                )));
            }
            props.push((key as u32, self.value(0)?));
        }
        Ok(props)
    }
}

/// What a payload's entities are read into.
pub trait Sink {
    #[allow(clippy::too_many_arguments)]
    fn begin(
        &mut self,
        next_node: u64,
        next_rel: u64,
        labels: Vec<Arc<str>>,
        types: Vec<Arc<str>>,
        keys: Vec<Arc<str>>,
        nodes: usize,
        rels: usize,
    ) -> Result<(), ReadError>;
    fn node(&mut self, id: u64, labels: Vec<u32>, props: Props) -> Result<(), ReadError>;
    fn rel(&mut self, id: u64, start: u64, end: u64, rel_type: u32, props: Props) -> Result<(), ReadError>;
    /// After the nodes, before the relationships.
    fn indexes(&mut self, defs: Vec<IndexDef>) -> Result<(), ReadError>;
    fn end(&mut self) -> Result<(), ReadError> {
        Ok(())
    }
}

fn read(src: &mut dyn Source, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let mut r = Reader {
        buf: Vec::new(),
        pos: 0,
        base: 0,
        src,
    };
    let layout = r.u8()?;
    if layout != LAYOUT {
        return Err(malformed(format!(
            "snapshot layout {layout} (this quiver reads layout {LAYOUT})"
        )));
    }
    let (next_node, next_rel) = (r.varint()?, r.varint()?);
    let nodes = r.count("nodes", 3)?;
    let rels = r.count("relationships", 5)?;
    // The store keeps tables indexed by id (its memory grows with the
    // largest id), so an id counter far beyond what a process could have
    // held is damage, not a graph.
    for (what, next) in [("node", next_node), ("relationship", next_rel)] {
        if next > MAX_ID {
            return Err(malformed(format!("the next {what} id, {next}, is implausibly large")));
        }
    }
    let (labels, types, keys) = (r.names()?, r.names()?, r.names()?);
    let (nl, nt, nk) = (labels.len() as u64, types.len() as u64, keys.len());
    sink.begin(next_node, next_rel, labels, types, keys, nodes, rels)?;
    let mut expected = 0u64;
    for _ in 0..nodes {
        let at = r.at();
        let id = expected
            .checked_add(r.varint()?)
            .ok_or_else(|| malformed(format!("a node id overflows at byte {at}")))?;
        let n = r.count("labels", 1)?;
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let l = r.varint()?;
            if l >= nl {
                return Err(malformed(format!(
                    "node {id} has label {l}, which is not in the label table"
                )));
            }
            labels.push(l as u32);
        }
        let props = r.props(nk)?;
        sink.node(id, labels, props)?;
        expected = id.saturating_add(1);
    }
    let n = r.count("indexes", 3)?;
    let mut defs = Vec::with_capacity(n);
    for _ in 0..n {
        defs.push(IndexDef {
            name: r.str()?.to_string(),
            label: r.str()?.to_string(),
            key: r.str()?.to_string(),
        });
    }
    sink.indexes(defs)?;
    let mut expected = 0u64;
    for _ in 0..rels {
        let at = r.at();
        let id = expected
            .checked_add(r.varint()?)
            .ok_or_else(|| malformed(format!("a relationship id overflows at byte {at}")))?;
        let (start, end) = (r.varint()?, r.varint()?);
        let t = r.u32("relationship type")?;
        if t as u64 >= nt {
            return Err(malformed(format!(
                "relationship {id} has type {t}, which is not in the type table"
            )));
        }
        let props = r.props(nk)?;
        sink.rel(id, start, end, t, props)?;
        expected = id.saturating_add(1);
    }
    sink.end()?;
    if r.left() != 0 {
        return Err(malformed(format!("{} bytes left over after the snapshot", r.left())));
    }
    Ok(())
}

/// Reads a payload into a plain image (for tests and tools).
pub fn decode_image(src: &mut dyn Source) -> Result<Image, ReadError> {
    struct Collect(Image);
    impl Sink for Collect {
        fn begin(
            &mut self,
            next_node: u64,
            next_rel: u64,
            labels: Vec<Arc<str>>,
            types: Vec<Arc<str>>,
            keys: Vec<Arc<str>>,
            nodes: usize,
            rels: usize,
        ) -> Result<(), ReadError> {
            self.0 = Image {
                next_node,
                next_rel,
                labels,
                types,
                keys,
                nodes: Vec::with_capacity(nodes),
                rels: Vec::with_capacity(rels),
                indexes: Vec::new(),
            };
            Ok(())
        }
        fn node(&mut self, id: u64, labels: Vec<u32>, props: Props) -> Result<(), ReadError> {
            self.0.nodes.push(ImageNode { id, labels, props });
            Ok(())
        }
        fn rel(&mut self, id: u64, start: u64, end: u64, rel_type: u32, props: Props) -> Result<(), ReadError> {
            self.0.rels.push(ImageRel {
                id,
                start,
                end,
                rel_type,
                props,
            });
            Ok(())
        }
        fn indexes(&mut self, defs: Vec<IndexDef>) -> Result<(), ReadError> {
            self.0.indexes = defs;
            Ok(())
        }
    }
    let mut c = Collect(Image::default());
    read(src, &mut c)?;
    Ok(c.0)
}

/// Reads a payload straight into a base builder: names as the catalog's
/// ids, entities in id order.
pub fn decode_into(src: &mut dyn Source, catalog: &Catalog) -> Result<BaseBuilder, ReadError> {
    struct Build<'c> {
        catalog: &'c Catalog,
        labels: Vec<LabelId>,
        types: Vec<TypeId>,
        keys: Vec<KeyId>,
        b: BaseBuilder,
    }
    impl Build<'_> {
        fn props(&self, props: Props) -> Vec<(KeyId, Value)> {
            props.into_iter().map(|(k, v)| (self.keys[k as usize], v)).collect()
        }
    }
    impl Sink for Build<'_> {
        fn begin(
            &mut self,
            next_node: u64,
            next_rel: u64,
            labels: Vec<Arc<str>>,
            types: Vec<Arc<str>>,
            keys: Vec<Arc<str>>,
            _nodes: usize,
            _rels: usize,
        ) -> Result<(), ReadError> {
            self.labels = labels.iter().map(|n| self.catalog.labels.intern(n)).collect();
            self.types = types.iter().map(|n| self.catalog.types.intern(n)).collect();
            self.keys = keys.iter().map(|n| self.catalog.keys.intern(n)).collect();
            self.b.counters(next_node, next_rel);
            Ok(())
        }
        fn node(&mut self, id: u64, labels: Vec<u32>, props: Props) -> Result<(), ReadError> {
            let labels: Vec<LabelId> = labels.into_iter().map(|l| self.labels[l as usize]).collect();
            let props = self.props(props);
            self.b.add_node(id, &labels, props).map_err(ReadError::Inconsistent)
        }
        fn rel(&mut self, id: u64, start: u64, end: u64, rel_type: u32, props: Props) -> Result<(), ReadError> {
            let props = self.props(props);
            self.b
                .add_rel(id, self.types[rel_type as usize], start, end, props)
                .map_err(ReadError::Inconsistent)
        }
        fn indexes(&mut self, defs: Vec<IndexDef>) -> Result<(), ReadError> {
            for d in defs {
                let (l, k) = (self.catalog.labels.intern(&d.label), self.catalog.keys.intern(&d.key));
                self.b.index(&d.name, l, k);
            }
            Ok(())
        }
    }
    let mut b = Build {
        catalog,
        labels: Vec::new(),
        types: Vec::new(),
        keys: Vec::new(),
        b: BaseBuilder::new(),
    };
    read(src, &mut b)?;
    Ok(b.b)
}

/// An image (codec 1's payload) into a base builder.
pub fn image_into(mut image: Image, catalog: &Catalog) -> Result<BaseBuilder, ReadError> {
    let labels: Vec<LabelId> = image.labels.iter().map(|n| catalog.labels.intern(n)).collect();
    let types: Vec<TypeId> = image.types.iter().map(|n| catalog.types.intern(n)).collect();
    let keys: Vec<KeyId> = image.keys.iter().map(|n| catalog.keys.intern(n)).collect();
    let name = |table: &[u32], i: u32, what: &str| {
        table
            .get(i as usize)
            .copied()
            .ok_or_else(|| ReadError::Inconsistent(format!("{what} {i} is not in the image's name table")))
    };
    let mut b = BaseBuilder::new();
    b.counters(image.next_node, image.next_rel);
    image.nodes.sort_by_key(|n| n.id);
    image.rels.sort_by_key(|r| r.id);
    for n in image.nodes {
        let labels = n
            .labels
            .iter()
            .map(|l| name(&labels, *l, "label"))
            .collect::<Result<Vec<_>, _>>()?;
        let props = n
            .props
            .into_iter()
            .map(|(k, v)| Ok((name(&keys, k, "key")?, v)))
            .collect::<Result<Vec<_>, ReadError>>()?;
        b.add_node(n.id, &labels, props).map_err(ReadError::Inconsistent)?;
    }
    for r in image.rels {
        let props = r
            .props
            .into_iter()
            .map(|(k, v)| Ok((name(&keys, k, "key")?, v)))
            .collect::<Result<Vec<_>, ReadError>>()?;
        b.add_rel(r.id, name(&types, r.rel_type, "type")?, r.start, r.end, props)
            .map_err(ReadError::Inconsistent)?;
    }
    for d in image.indexes {
        b.index(&d.name, catalog.labels.intern(&d.label), catalog.keys.intern(&d.key));
    }
    Ok(b)
}
