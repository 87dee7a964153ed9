//! The base: an immutable graph laid out as plain arrays, read in place
//! (from a memory-mapped file or a buffer in memory) with no decoding up
//! front. What changed since a base was made lives in layers above it
//! (`layer.rs`); a checkpoint makes the next base.
//!
//! ```text
//! page 0      header: magic "QUIVERDB", format version 3, generation, last
//!             transaction, counts, where the metadata and directory are, CRC
//! page 1..    metadata (names, counts, what each column and index holds, the
//!             constraints) and
//!             the directory of sections (name, offset, length, CRC-32)
//! then        sections, each at a page boundary:
//!   node.ids, rel.ids             user ids by dense index (absent when they are 0..n)
//!   node.label_off/label_ids      each node's labels (CSR)
//!   label.<L>                     the dense indices of label L's nodes, ascending
//!   rel.type/start/end            each relationship's type and ends
//!   out.off/rel/nbr[/type]        outgoing adjacency (CSR, by relationship id)
//!   in.off/rel/nbr[/type]         incoming adjacency
//!   col.<e>.<k>.*                 property key k of nodes (e = 0) or relationships
//!                                 (e = 1): presence bitmap or sparse indices, then
//!                                 integers, floats, booleans, dictionary codes,
//!                                 strings or encoded values
//!   ix.<i>.*                      index i: (value, node) in ORDER BY order
//! ```
//!
//! All numbers little-endian; ids inside are the catalog ids of the base's
//! own name tables, mapped to the process's catalog when the base is opened.
//! Opening checks the header, the metadata and the directory, and that every
//! section has the size and alignment its use needs; the CRC of each section
//! is checked by [`Base::verify`] (`quiver check`). Every read is bounds
//! checked: damaged arrays give wrong answers, never a panic.

pub mod build;
pub mod value;

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use bytemuck::Pod;

use self::value::Reader;
use super::catalog::{Catalog, KeyId, LabelId, TypeId};
use super::constraint::{Constraint, Requirement, Target};
use super::read::{ColumnChunk, PropRef, RelInfo, Seek, CHUNK};
use super::Dir;
use crate::value::order::order;
use crate::value::{NodeId, RelId, Value};

pub use build::{BaseBuilder, Built};

pub const MAGIC: &[u8; 8] = b"QUIVERDB";
/// The format version of files laid out so (version 1 was a snapshot to decode;
/// version 2 is version 3 without constraints, and still opens).
pub const VERSION: u32 = 3;
pub const PAGE: usize = 4096;
pub const HEADER_LEN: usize = 128;
const META_MAGIC: &[u8; 8] = b"QVBMETA1";

/// How a column holds its values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ColumnKind {
    Int = 1,
    Float = 2,
    Bool = 3,
    Str = 4,
    Dict = 5,
    Any = 6,
}

impl ColumnKind {
    fn from_u8(b: u8) -> Option<ColumnKind> {
        Some(match b {
            1 => ColumnKind::Int,
            2 => ColumnKind::Float,
            3 => ColumnKind::Bool,
            4 => ColumnKind::Str,
            5 => ColumnKind::Dict,
            6 => ColumnKind::Any,
            _ => return None,
        })
    }
}

/// How an index holds its keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum KeyKind {
    Int = 1,
    Str = 2,
    Any = 3,
}

/// Where a base's bytes live.
pub enum Backing {
    /// Built in this process (8-byte aligned).
    Owned(Vec<u64>),
    /// A file mapped into memory (page aligned).
    Mapped(Box<dyn std::ops::Deref<Target = [u8]> + Send + Sync>),
}

impl Backing {
    fn bytes(&self) -> &[u8] {
        match self {
            Backing::Owned(v) => bytemuck::cast_slice(v),
            Backing::Mapped(m) => m,
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Sec {
    off: usize,
    len: usize,
    crc: u32,
}

/// The header's fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    pub generation: u64,
    pub last_txid: u64,
    pub node_count: u64,
    pub rel_count: u64,
    pub next_node: u64,
    pub next_rel: u64,
}

/// What went wrong reading a base: `(offset, what)`.
pub type Damage = (u64, String);

struct Column {
    kind: ColumnKind,
    dense: bool,
    count: usize,
    present: Sec,
    idx: Sec,
    val: Sec,
    off: Sec,
    bytes: Sec,
    dict_off: Sec,
    dict_bytes: Sec,
    /// A dictionary's strings as values, made on first use (then lent out).
    dict: OnceLock<Vec<Value>>,
}

struct Index {
    name: String,
    /// The process's catalog ids.
    label: LabelId,
    key: KeyId,
    kind: KeyKind,
    entries: usize,
    distinct: usize,
    node: Sec,
    int: Sec,
    off: Sec,
    bytes: Sec,
}

/// An immutable graph, read in place.
pub struct Base {
    backing: Backing,
    /// The backing's bytes (where they start, how many), taken once: a read
    /// goes straight to them rather than through the backing each time.
    data: *const u8,
    data_len: usize,
    header: Header,
    n: usize,
    r: usize,
    nodes_dense: bool,
    rels_dense: bool,
    multi_type: bool,
    node_ids: Sec,
    rel_ids: Sec,
    label_off: Sec,
    label_ids: Sec,
    rel_type: Sec,
    rel_start: Sec,
    rel_end: Sec,
    adj: [(Sec, Sec, Sec, Sec); 2],
    /// By the process's label id: (member section, count).
    labels: Vec<Option<(Sec, usize)>>,
    /// By the process's type id.
    type_counts: HashMap<TypeId, usize>,
    /// By entity (nodes, relationships), then the process's key id.
    columns: [Vec<Option<Column>>; 2],
    indexes: Vec<Index>,
    constraints: Arc<Vec<Constraint>>,
    /// Base label, type and key ids -> the process's (the base's own name order).
    label_map: Vec<LabelId>,
    type_map: Vec<TypeId>,
    /// The process's label ids -> the base's (`u32::MAX`: none).
    label_back: Vec<u32>,
    /// By the base's label id: a bitmap of the label's nodes, made once it has been asked
    /// about often enough (see [`Base::has_label`]).
    label_bits: Vec<LabelBits>,
    sections: Vec<(String, Sec)>,
}

/// One label's membership bitmap, made on demand.
#[derive(Default)]
struct LabelBits {
    asks: std::sync::atomic::AtomicUsize,
    bits: std::sync::OnceLock<Box<[u64]>>,
}

// SAFETY: the raw pointer in a base points into its own backing (a vector or a
// read-only map, both `Send + Sync`), which nothing changes while it lives.
unsafe impl Send for Base {}
unsafe impl Sync for Base {}

fn damage(off: usize, what: impl Into<String>) -> Damage {
    (off as u64, what.into())
}

/// Places `built` into pages: the header, the metadata and directory, the sections.
pub struct Layout {
    pub header: [u8; HEADER_LEN],
    /// Metadata then directory, padded to whole pages.
    pub meta: Vec<u8>,
    /// `(offset, bytes)` of each section, ascending, page aligned.
    pub sections: Vec<(usize, Vec<u8>)>,
    pub len: usize,
}

fn align(x: usize) -> usize {
    x.div_ceil(PAGE) * PAGE
}

impl Layout {
    pub fn new(built: Built) -> Layout {
        let header = built.header;
        // The directory needs the sections' offsets, which need the metadata's length:
        // the directory's size is known from names and fixed-width fields.
        let dir_len: usize = 8 + built
            .sections
            .iter()
            .map(|(name, _)| 2 + name.len() + 8 + 8 + 4)
            .sum::<usize>();
        let meta_off = PAGE;
        let meta_len = built.meta.len();
        let first = align(meta_off + meta_len + dir_len);
        let mut at = first;
        let mut dir = Vec::with_capacity(dir_len);
        dir.extend_from_slice(&(built.sections.len() as u64).to_le_bytes());
        let mut sections = Vec::with_capacity(built.sections.len());
        for (name, bytes) in built.sections {
            dir.extend_from_slice(&(name.len() as u16).to_le_bytes());
            dir.extend_from_slice(name.as_bytes());
            dir.extend_from_slice(&(at as u64).to_le_bytes());
            dir.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            dir.extend_from_slice(&crc32fast::hash(&bytes).to_le_bytes());
            let len = bytes.len();
            sections.push((at, bytes));
            at = align(at + len.max(1));
        }
        debug_assert_eq!(dir.len(), dir_len);
        let mut meta = built.meta;
        let dir_off = meta_off + meta.len();
        let meta_crc = crc32fast::hash(&meta);
        let dir_crc = crc32fast::hash(&dir);
        meta.extend_from_slice(&dir);
        meta.resize(first - PAGE, 0);
        let mut h = [0u8; HEADER_LEN];
        h[0..8].copy_from_slice(MAGIC);
        h[8..12].copy_from_slice(&VERSION.to_le_bytes());
        let fields = [
            header.generation,
            header.last_txid,
            header.node_count,
            header.rel_count,
            header.next_node,
            header.next_rel,
            meta_off as u64,
            meta_len as u64,
            dir_off as u64,
            dir_len as u64,
        ];
        for (i, f) in fields.iter().enumerate() {
            h[16 + 8 * i..24 + 8 * i].copy_from_slice(&f.to_le_bytes());
        }
        h[96..100].copy_from_slice(&meta_crc.to_le_bytes());
        h[100..104].copy_from_slice(&dir_crc.to_le_bytes());
        let crc = crc32fast::hash(&h[0..124]);
        h[124..128].copy_from_slice(&crc.to_le_bytes());
        Layout {
            header: h,
            meta,
            sections,
            len: at,
        }
    }

    /// The whole base as one buffer in memory.
    pub fn into_backing(self) -> Backing {
        let mut words = vec![0u64; self.len.div_ceil(8)];
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut words);
        bytes[..HEADER_LEN].copy_from_slice(&self.header);
        bytes[PAGE..PAGE + self.meta.len()].copy_from_slice(&self.meta);
        for (at, s) in &self.sections {
            bytes[*at..*at + s.len()].copy_from_slice(s);
        }
        Backing::Owned(words)
    }
}

/// Reads the header of a base file (its first `HEADER_LEN` bytes).
pub fn read_header(b: &[u8]) -> Result<(Header, [u64; 4], [u32; 2]), Damage> {
    if b.len() < HEADER_LEN {
        return Err(damage(b.len(), "the file ends inside its header"));
    }
    let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
    if crc32fast::hash(&b[0..124]) != u32_at(124) {
        return Err(damage(0, "header checksum mismatch"));
    }
    let header = Header {
        generation: u64_at(16),
        last_txid: u64_at(24),
        node_count: u64_at(32),
        rel_count: u64_at(40),
        next_node: u64_at(48),
        next_rel: u64_at(56),
    };
    Ok((
        header,
        [u64_at(64), u64_at(72), u64_at(80), u64_at(88)],
        [u32_at(96), u32_at(100)],
    ))
}

/// Walks the metadata.
struct MetaReader<'a> {
    r: Reader<'a>,
    at: usize,
}

impl MetaReader<'_> {
    fn fail(&self, what: &str) -> Damage {
        damage(self.at + self.r.at, format!("the metadata is damaged: {what}"))
    }
    fn u8(&mut self) -> Result<u8, Damage> {
        self.r.u8().ok_or_else(|| self.fail("it ends early"))
    }
    fn u64(&mut self) -> Result<u64, Damage> {
        self.r.varint().ok_or_else(|| self.fail("it ends early"))
    }
    fn usize(&mut self) -> Result<usize, Damage> {
        let v = self.u64()?;
        usize::try_from(v).map_err(|_| self.fail("a count out of range"))
    }
    fn u32(&mut self) -> Result<u32, Damage> {
        let v = self.u64()?;
        u32::try_from(v).map_err(|_| self.fail("an id out of range"))
    }
    fn str(&mut self) -> Result<&str, Damage> {
        let at = self.at;
        let r = &mut self.r;
        r.str()
            .ok_or_else(|| damage(at + r.at, "the metadata is damaged: a name"))
    }
    /// A count of items each at least `min` bytes long (checked against what is left).
    fn count(&mut self, min: usize) -> Result<usize, Damage> {
        let n = self.usize()?;
        if n.saturating_mul(min) > self.r.bytes.len() - self.r.at {
            return Err(self.fail("a count larger than the metadata"));
        }
        Ok(n)
    }
}

impl Base {
    /// An empty base (a new database, or one held only in layers).
    pub fn empty() -> Base {
        let built = BaseBuilder::new()
            .finish(&Catalog::default(), 0, 0)
            .expect("an empty graph lays out");
        let layout = Layout::new(built);
        Base::open(layout.into_backing(), &Catalog::default()).expect("an empty base opens")
    }

    /// Lays `built` out in memory and opens it.
    pub fn in_memory(built: Built, catalog: &Catalog) -> Result<Base, Damage> {
        Base::open(Layout::new(built).into_backing(), catalog)
    }

    /// Opens a base: checks its header, metadata and directory, maps its
    /// names into `catalog` (adding the ones it lacks).
    pub fn open(backing: Backing, catalog: &Catalog) -> Result<Base, Damage> {
        let b = backing.bytes();
        if b.len() < 8 || &b[0..8] != MAGIC {
            return Err(damage(0, "not a quiver base"));
        }
        if b.len() % PAGE != 0 {
            return Err(damage(
                b.len(),
                "the file is cut short: its length is not a whole number of pages",
            ));
        }
        let (header, [meta_off, meta_len, dir_off, dir_len], [meta_crc, dir_crc]) = read_header(b)?;
        let range = |off: u64, len: u64, what: &str| -> Result<&[u8], Damage> {
            let (off, len) = (off as usize, len as usize);
            off.checked_add(len)
                .and_then(|end| b.get(off..end))
                .ok_or_else(|| damage(off, format!("the {what} lies past the end of the file")))
        };
        let meta = range(meta_off, meta_len, "metadata")?;
        if crc32fast::hash(meta) != meta_crc {
            return Err(damage(meta_off as usize, "metadata checksum mismatch"));
        }
        let dir = range(dir_off, dir_len, "directory")?;
        if crc32fast::hash(dir) != dir_crc {
            return Err(damage(dir_off as usize, "directory checksum mismatch"));
        }
        // The directory.
        let mut sections: Vec<(String, Sec)> = Vec::new();
        let mut dr = Reader::new(dir);
        let bad_dir = |at: usize| damage(dir_off as usize + at, "the directory is damaged");
        let count = dr.u64().ok_or_else(|| bad_dir(0))? as usize;
        if count > dir.len() {
            return Err(bad_dir(0));
        }
        for _ in 0..count {
            let at = dr.at;
            let len = u16::from_le_bytes(dr.take(2).ok_or_else(|| bad_dir(at))?.try_into().expect("2 bytes")) as usize;
            let name = std::str::from_utf8(dr.take(len).ok_or_else(|| bad_dir(at))?).map_err(|_| bad_dir(at))?;
            let off = dr.u64().ok_or_else(|| bad_dir(at))? as usize;
            let slen = dr.u64().ok_or_else(|| bad_dir(at))? as usize;
            let crc = dr.u32().ok_or_else(|| bad_dir(at))?;
            if off % PAGE != 0 || off.checked_add(slen).is_none_or(|end| end > b.len()) {
                return Err(damage(off, format!("section {name} lies outside the file")));
            }
            sections.push((name.to_string(), Sec { off, len: slen, crc }));
        }
        let find = |name: &str| sections.iter().find(|(n, _)| n == name).map(|(_, s)| *s);
        // The metadata.
        let mut m = MetaReader {
            r: Reader::new(meta),
            at: meta_off as usize,
        };
        if m.r.take(8) != Some(&META_MAGIC[..]) {
            return Err(m.fail("wrong magic"));
        }
        let n = m.usize()?;
        let r = m.usize()?;
        let next_node = m.u64()?;
        let next_rel = m.u64()?;
        let _generation = m.u64()?;
        let _last_txid = m.u64()?;
        let flags = m.u8()?;
        let (nodes_dense, rels_dense, multi_type) = (flags & 1 != 0, flags & 2 != 0, flags & 4 != 0);
        if n as u64 != header.node_count
            || r as u64 != header.rel_count
            || next_node != header.next_node
            || next_rel != header.next_rel
        {
            return Err(m.fail("its counts disagree with the header's"));
        }
        let mut maps: [Vec<u32>; 3] = Default::default();
        for (t, table) in [&catalog.labels, &catalog.types, &catalog.keys].into_iter().enumerate() {
            let names = m.count(1)?;
            for _ in 0..names {
                let name = m.str()?;
                maps[t].push(table.intern(name));
            }
        }
        let [label_map, type_map, key_map] = maps;
        let to = |map: &[u32], id: u32, what: &str| -> Result<u32, Damage> {
            map.get(id as usize).copied().ok_or_else(|| {
                damage(
                    meta_off as usize,
                    format!("the metadata names a {what} it does not list"),
                )
            })
        };
        let mut labels: Vec<Option<(Sec, usize)>> = Vec::new();
        for _ in 0..m.count(2)? {
            let l = m.u32()?;
            let c = m.usize()?;
            let sec = find(&format!("label.{l}")).ok_or_else(|| m.fail("a label without its members"))?;
            let id = to(&label_map, l, "label")? as usize;
            if labels.len() <= id {
                labels.resize(id + 1, None);
            }
            labels[id] = Some((sec, c));
        }
        let mut type_counts = HashMap::new();
        for _ in 0..m.count(2)? {
            let t = m.u32()?;
            let c = m.usize()?;
            type_counts.insert(to(&type_map, t, "type")?, c);
        }
        let mut columns: [Vec<Option<Column>>; 2] = [Vec::new(), Vec::new()];
        for _ in 0..m.count(4)? {
            let entity = m.u8()?;
            let key = m.u32()?;
            let kind = ColumnKind::from_u8(m.u8()?).ok_or_else(|| m.fail("an unknown column kind"))?;
            let dense = m.u8()? != 0;
            let count = m.usize()?;
            let p = format!("col.{entity}.{key}");
            let get = |s: &str| find(&format!("{p}.{s}")).unwrap_or_default();
            let col = Column {
                kind,
                dense,
                count,
                present: get("present"),
                idx: get("idx"),
                val: get("val"),
                off: get("off"),
                bytes: get("bytes"),
                dict_off: get("doff"),
                dict_bytes: get("dbytes"),
                dict: OnceLock::new(),
            };
            if entity > 1 {
                return Err(m.fail("a column of an unknown entity"));
            }
            let id = to(&key_map, key, "key")? as usize;
            let list = &mut columns[entity as usize];
            if list.len() <= id {
                list.resize_with(id + 1, || None);
            }
            list[id] = Some(col);
        }
        let mut indexes = Vec::new();
        for i in 0..m.count(5)? {
            let name = m.str()?.to_string();
            let label = m.u32()?;
            let key = m.u32()?;
            let kind = match m.u8()? {
                1 => KeyKind::Int,
                2 => KeyKind::Str,
                3 => KeyKind::Any,
                _ => return Err(m.fail("an unknown index kind")),
            };
            let entries = m.usize()?;
            let distinct = m.usize()?;
            let p = format!("ix.{i}");
            let get = |s: &str| find(&format!("{p}.{s}")).unwrap_or_default();
            indexes.push(Index {
                name,
                label: to(&label_map, label, "label")?,
                key: to(&key_map, key, "key")?,
                kind,
                entries,
                distinct,
                node: get("node"),
                int: get("int"),
                off: get("off"),
                bytes: get("bytes"),
            });
        }
        let mut constraints = Vec::new();
        if m.r.at < m.r.bytes.len() {
            for _ in 0..m.count(5)? {
                let name = m.str()?.to_string();
                let target = match m.u8()? {
                    0 => Target::Node(to(&label_map, m.u32()?, "label")?),
                    1 => Target::Relationship(to(&type_map, m.u32()?, "type")?),
                    _ => return Err(m.fail("a constraint on an unknown entity")),
                };
                let mut keys = Vec::new();
                for _ in 0..m.count(1)? {
                    keys.push(to(&key_map, m.u32()?, "key")?);
                }
                let code = m.u8()?;
                let ty = m.str()?.to_string();
                let requirement = Requirement::from_code(code, &ty).map_err(|e| m.fail(&e))?;
                if keys.is_empty() {
                    return Err(m.fail("a constraint without properties"));
                }
                constraints.push(Constraint {
                    name,
                    target,
                    keys,
                    requirement,
                });
            }
        }
        let mut label_back = vec![u32::MAX; label_map.iter().map(|l| *l as usize + 1).max().unwrap_or(0)];
        for (i, l) in label_map.iter().enumerate() {
            label_back[*l as usize] = i as u32;
        }
        let get = |s: &str| find(s).unwrap_or_default();
        let (data, data_len) = {
            let b = backing.bytes();
            (b.as_ptr(), b.len())
        };
        let label_bits = (0..label_map.len()).map(|_| LabelBits::default()).collect();
        let base = Base {
            data,
            data_len,
            header,
            n,
            r,
            nodes_dense,
            rels_dense,
            multi_type,
            node_ids: get("node.ids"),
            rel_ids: get("rel.ids"),
            label_off: get("node.label_off"),
            label_ids: get("node.label_ids"),
            rel_type: get("rel.type"),
            rel_start: get("rel.start"),
            rel_end: get("rel.end"),
            adj: [
                (get("out.off"), get("out.rel"), get("out.nbr"), get("out.type")),
                (get("in.off"), get("in.rel"), get("in.nbr"), get("in.type")),
            ],
            labels,
            type_counts,
            columns,
            indexes,
            constraints: Arc::new(constraints),
            label_map,
            type_map,
            label_bits,
            label_back,
            sections,
            backing,
        };
        base.check_sizes()?;
        Ok(base)
    }

    /// Every section has the length and alignment its readers assume.
    fn check_sizes(&self) -> Result<(), Damage> {
        let (n, r) = (self.n, self.r);
        let need = |s: &Sec, words: usize, size: usize, what: &str| -> Result<(), Damage> {
            if s.len != words * size {
                return Err(damage(
                    s.off,
                    format!("section {what} has {} bytes, not {}", s.len, words * size),
                ));
            }
            Ok(())
        };
        if !self.nodes_dense {
            need(&self.node_ids, n, 8, "node.ids")?;
        }
        if !self.rels_dense {
            need(&self.rel_ids, r, 8, "rel.ids")?;
        }
        need(&self.label_off, n + 1, 4, "node.label_off")?;
        need(&self.rel_type, r, 4, "rel.type")?;
        need(&self.rel_start, r, 4, "rel.start")?;
        need(&self.rel_end, r, 4, "rel.end")?;
        for (off, rel, nbr, ty) in &self.adj {
            need(off, n + 1, 8, "adjacency offsets")?;
            need(rel, r, 4, "adjacency")?;
            need(nbr, r, 4, "adjacency")?;
            if self.multi_type {
                need(ty, r, 4, "adjacency types")?;
            }
        }
        for (entity, c) in self.all_columns() {
            let count = if entity == 0 { n } else { r };
            let width = if c.dense { count } else { c.count };
            if c.dense {
                need(&c.present, count.div_ceil(64), 8, "a column's presence")?;
            } else {
                need(&c.idx, c.count, 4, "a column's indices")?;
            }
            match c.kind {
                ColumnKind::Int | ColumnKind::Float => need(&c.val, width, 8, "a column")?,
                ColumnKind::Bool => need(&c.val, width.div_ceil(64), 8, "a column")?,
                ColumnKind::Dict => need(&c.val, width, 4, "a column")?,
                ColumnKind::Str | ColumnKind::Any => need(&c.off, width + 1, 8, "a column's offsets")?,
            }
        }
        for ix in &self.indexes {
            need(&ix.node, ix.entries, 4, "an index")?;
            match ix.kind {
                KeyKind::Int => need(&ix.int, ix.entries, 8, "an index's keys")?,
                KeyKind::Str | KeyKind::Any => need(&ix.off, ix.entries + 1, 8, "an index's offsets")?,
            }
        }
        Ok(())
    }

    /// Checks every section's CRC-32: the first damaged one, if any.
    pub fn verify(&self) -> Result<(), Damage> {
        let b = self.backing.bytes();
        for (name, s) in &self.sections {
            if crc32fast::hash(&b[s.off..s.off + s.len]) != s.crc {
                return Err(damage(s.off, format!("section {name} checksum mismatch")));
            }
        }
        Ok(())
    }

    /// Checks that every index holds exactly the nodes of its label that
    /// carry its key, with their values, in order.
    pub fn verify_indexes(&self) -> Result<(), String> {
        for ix in &self.indexes {
            let mut want: Vec<(Value, u32)> = Vec::new();
            for &i in self.label_members(ix.label) {
                if let Some(v) = self.node_property(i, ix.key) {
                    want.push((v.into_owned(), i));
                }
            }
            want.sort_by(|a, b| order(&a.0, &b.0).then(a.1.cmp(&b.1)));
            let nodes: &[u32] = self.arr(&ix.node);
            if nodes.len() != want.len() {
                return Err(format!(
                    "index {} has {} entries where its label has {} nodes with the key",
                    ix.name,
                    nodes.len(),
                    want.len()
                ));
            }
            for (j, (v, i)) in want.iter().enumerate() {
                let key = self.index_key(ix, j);
                if nodes[j] != *i || key.is_none_or(|k| order(&k, v) != Ordering::Equal) {
                    return Err(format!("index {} is wrong at entry {j}", ix.name));
                }
            }
        }
        Ok(())
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The base's size in bytes.
    pub fn size(&self) -> usize {
        self.backing.bytes().len()
    }

    /// The bytes its sections hold (its size without the padding to pages):
    /// what rewriting it costs.
    pub fn data_size(&self) -> usize {
        self.sections.iter().map(|(_, s)| s.len).sum()
    }

    /// The names the base holds, by kind (for `quiver check`).
    pub fn label_ids(&self) -> impl Iterator<Item = LabelId> + '_ {
        self.labels
            .iter()
            .enumerate()
            .filter(|(_, l)| l.is_some())
            .map(|(i, _)| i as LabelId)
    }

    /// Every column with its entity (0 nodes, 1 relationships) and key.
    fn all_columns(&self) -> impl Iterator<Item = (u8, &Column)> + '_ {
        self.keyed_columns().map(|(e, _, c)| (e, c))
    }

    fn keyed_columns(&self) -> impl Iterator<Item = (u8, KeyId, &Column)> + '_ {
        self.columns.iter().enumerate().flat_map(|(e, list)| {
            list.iter()
                .enumerate()
                .filter_map(move |(k, c)| c.as_ref().map(|c| (e as u8, k as KeyId, c)))
        })
    }

    // ---- raw access ----------------------------------------------------

    /// All of the base's bytes.
    #[inline]
    fn all(&self) -> &[u8] {
        // SAFETY: `data` and `data_len` were taken from `backing`, which this
        // base owns and never changes: a vector's buffer or a map, neither of
        // which moves when the base does, both alive as long as it is.
        unsafe { std::slice::from_raw_parts(self.data, self.data_len) }
    }

    #[inline]
    fn arr<T: Pod>(&self, s: &Sec) -> &[T] {
        self.all()
            .get(s.off..s.off + s.len)
            .and_then(|b| bytemuck::try_cast_slice(b).ok())
            .unwrap_or(&[])
    }

    #[inline]
    fn bytes(&self, s: &Sec) -> &[u8] {
        self.all().get(s.off..s.off + s.len).unwrap_or(&[])
    }

    pub fn node_count(&self) -> usize {
        self.n
    }

    pub fn rel_count(&self) -> usize {
        self.r
    }

    /// The dense index of node `id`, if the base has it.
    #[inline]
    pub fn node_index(&self, id: NodeId) -> Option<u32> {
        if self.nodes_dense {
            return (id.0 < self.n as u64).then_some(id.0 as u32);
        }
        self.arr::<u64>(&self.node_ids)
            .binary_search(&id.0)
            .ok()
            .map(|i| i as u32)
    }

    /// The user id of dense node `i`.
    #[inline]
    pub fn node_id(&self, i: u32) -> NodeId {
        if self.nodes_dense {
            return NodeId(u64::from(i));
        }
        NodeId(
            self.arr::<u64>(&self.node_ids)
                .get(i as usize)
                .copied()
                .unwrap_or(u64::MAX),
        )
    }

    #[inline]
    pub fn rel_index(&self, id: RelId) -> Option<u32> {
        if self.rels_dense {
            return (id.0 < self.r as u64).then_some(id.0 as u32);
        }
        self.arr::<u64>(&self.rel_ids)
            .binary_search(&id.0)
            .ok()
            .map(|i| i as u32)
    }

    #[inline]
    pub fn rel_id(&self, i: u32) -> RelId {
        if self.rels_dense {
            return RelId(u64::from(i));
        }
        RelId(
            self.arr::<u64>(&self.rel_ids)
                .get(i as usize)
                .copied()
                .unwrap_or(u64::MAX),
        )
    }

    // ---- nodes ---------------------------------------------------------

    /// Node `i`'s labels as base ids.
    fn raw_labels(&self, i: u32) -> &[u32] {
        let off: &[u32] = self.arr(&self.label_off);
        let ids: &[u32] = self.arr(&self.label_ids);
        let (a, b) = (
            off.get(i as usize).copied().unwrap_or(0) as usize,
            off.get(i as usize + 1).copied().unwrap_or(0) as usize,
        );
        ids.get(a..b).unwrap_or(&[])
    }

    /// Node `i`'s labels as the process's ids.
    pub fn node_labels(&self, i: u32) -> Vec<LabelId> {
        let mut out: Vec<LabelId> = self
            .raw_labels(i)
            .iter()
            .filter_map(|l| self.label_map.get(*l as usize).copied())
            .collect();
        out.sort_unstable();
        out
    }

    /// Whether node `i` has `label`. A node's labels are read from the file (two random
    /// reads); once a label has been asked about more than `n / 64` times (at least
    /// 1,024) — as often as it takes to read as much as the label's bitmap holds — the
    /// label's members are made into a bitmap (`n / 8` bytes), which answers from then on.
    /// Opening stays free of it, and a point lookup never pays for it.
    #[inline]
    pub fn has_label(&self, i: u32, label: LabelId) -> bool {
        let b = match self.label_back.get(label as usize) {
            Some(&b) if b != u32::MAX => b,
            _ => return false,
        };
        if let Some(lb) = self.label_bits.get(b as usize) {
            let bits = match lb.bits.get() {
                Some(bits) => Some(bits),
                None => {
                    let asks = lb.asks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    (asks >= (self.n / 64).max(1024)).then(|| lb.bits.get_or_init(|| self.label_bitmap(label)))
                }
            };
            if let Some(bits) = bits {
                return bits.get(i as usize / 64).is_some_and(|w| (w >> (i % 64)) & 1 == 1);
            }
        }
        self.raw_labels(i).contains(&b)
    }

    /// The members of `label` as a bitmap over dense node indices.
    fn label_bitmap(&self, label: LabelId) -> Box<[u64]> {
        let mut bits = vec![0u64; self.n.div_ceil(64)];
        for &i in self.label_members(label) {
            if let Some(w) = bits.get_mut(i as usize / 64) {
                *w |= 1 << (i % 64);
            }
        }
        bits.into_boxed_slice()
    }

    pub fn label_count(&self, label: LabelId) -> usize {
        self.labels
            .get(label as usize)
            .and_then(|l| l.as_ref())
            .map_or(0, |(_, c)| *c)
    }

    /// The dense indices of `label`'s nodes, ascending.
    pub fn label_members(&self, label: LabelId) -> &[u32] {
        match self.labels.get(label as usize).and_then(|l| l.as_ref()) {
            Some((s, _)) => self.arr(s),
            None => &[],
        }
    }

    pub fn type_count(&self, t: TypeId) -> usize {
        self.type_counts.get(&t).copied().unwrap_or(0)
    }

    /// Entities carrying key `k`: `(nodes, relationships)`.
    pub fn key_counts(&self) -> Vec<(KeyId, usize, usize)> {
        let mut out: HashMap<KeyId, (usize, usize)> = HashMap::new();
        for (entity, k, c) in self.keyed_columns() {
            let e = out.entry(k).or_default();
            if entity == 0 {
                e.0 += c.count;
            } else {
                e.1 += c.count;
            }
        }
        out.into_iter().map(|(k, (a, b))| (k, a, b)).collect()
    }

    // ---- properties ----------------------------------------------------

    #[inline]
    fn column(&self, entity: u8, key: KeyId) -> Option<&Column> {
        self.columns[entity as usize].get(key as usize)?.as_ref()
    }

    /// Where entity `i`'s value sits in column `c`, if it has one.
    #[inline]
    fn position(&self, c: &Column, i: u32) -> Option<usize> {
        if c.dense {
            let words: &[u64] = self.arr(&c.present);
            let w = words.get(i as usize / 64)?;
            (w >> (i % 64) & 1 == 1).then_some(i as usize)
        } else {
            self.arr::<u32>(&c.idx).binary_search(&i).ok()
        }
    }

    fn dict<'a>(&'a self, c: &'a Column) -> &'a [Value] {
        c.dict.get_or_init(|| {
            let off: &[u64] = self.arr(&c.dict_off);
            let bytes = self.bytes(&c.dict_bytes);
            off.windows(2)
                .map(|w| {
                    let s = bytes
                        .get(w[0] as usize..w[1] as usize)
                        .and_then(|b| std::str::from_utf8(b).ok())
                        .unwrap_or("");
                    Value::String(Arc::from(s))
                })
                .collect()
        })
    }

    /// The value at position `p` of column `c`.
    fn value_at<'a>(&'a self, c: &'a Column, p: usize) -> Option<PropRef<'a>> {
        Some(match c.kind {
            ColumnKind::Int => Cow::Owned(Value::Int(*self.arr::<i64>(&c.val).get(p)?)),
            ColumnKind::Float => Cow::Owned(Value::Float(*self.arr::<f64>(&c.val).get(p)?)),
            ColumnKind::Bool => {
                let w = self.arr::<u64>(&c.val).get(p / 64)?;
                Cow::Owned(Value::Bool(w >> (p % 64) & 1 == 1))
            }
            ColumnKind::Dict => {
                let code = *self.arr::<u32>(&c.val).get(p)?;
                Cow::Borrowed(self.dict(c).get(code as usize)?)
            }
            ColumnKind::Str => {
                let off: &[u64] = self.arr(&c.off);
                let (a, b) = (*off.get(p)? as usize, *off.get(p + 1)? as usize);
                let s = std::str::from_utf8(self.bytes(&c.bytes).get(a..b)?).ok()?;
                Cow::Owned(Value::String(Arc::from(s)))
            }
            ColumnKind::Any => {
                let off: &[u64] = self.arr(&c.off);
                let (a, b) = (*off.get(p)? as usize, *off.get(p + 1)? as usize);
                Cow::Owned(value::decode_all(self.bytes(&c.bytes).get(a..b)?)?)
            }
        })
    }

    pub fn node_property(&self, i: u32, key: KeyId) -> Option<PropRef<'_>> {
        let c = self.column(0, key)?;
        let p = self.position(c, i)?;
        self.value_at(c, p)
    }

    pub fn rel_property(&self, i: u32, key: KeyId) -> Option<PropRef<'_>> {
        let c = self.column(1, key)?;
        let p = self.position(c, i)?;
        self.value_at(c, p)
    }

    fn properties(&self, entity: u8, i: u32) -> Vec<(KeyId, PropRef<'_>)> {
        // By key id, ascending.
        self.columns[entity as usize]
            .iter()
            .enumerate()
            .filter_map(|(k, c)| {
                let c = c.as_ref()?;
                Some((k as KeyId, self.value_at(c, self.position(c, i)?)?))
            })
            .collect()
    }

    pub fn node_properties(&self, i: u32) -> Vec<(KeyId, PropRef<'_>)> {
        self.properties(0, i)
    }

    pub fn rel_properties(&self, i: u32) -> Vec<(KeyId, PropRef<'_>)> {
        self.properties(1, i)
    }

    /// Calls `f` with each of `members` (ascending) and its values of `keys`
    /// (null where it has none), until `f` answers `false`. Integers, floats
    /// and booleans are read from their arrays; a dictionary's strings are
    /// lent, so equal strings share one allocation.
    pub fn scan_values(&self, members: &[u32], keys: &[KeyId], f: &mut dyn FnMut(u32, &[&Value]) -> bool) {
        let mut cols: Vec<Option<ColumnScan<'_>>> = keys
            .iter()
            .map(|k| self.column(0, *k).map(|c| self.column_scan(c)))
            .collect();
        let mut scratch: Vec<Value> = vec![Value::Null; keys.len()];
        let mut lent: Vec<Option<&Value>> = vec![None; keys.len()];
        for &i in members {
            for (j, c) in cols.iter_mut().enumerate() {
                lent[j] = None;
                let Some(c) = c else {
                    scratch[j] = Value::Null;
                    continue;
                };
                let Some(p) = c.present.position(i) else {
                    scratch[j] = Value::Null;
                    continue;
                };
                match &c.values {
                    Values::Int(v) => scratch[j] = v.get(p).map_or(Value::Null, |x| Value::Int(*x)),
                    Values::Float(v) => scratch[j] = v.get(p).map_or(Value::Null, |x| Value::Float(*x)),
                    Values::Bool(w) => {
                        scratch[j] = w
                            .get(p / 64)
                            .map_or(Value::Null, |w| Value::Bool(w >> (p % 64) & 1 == 1))
                    }
                    Values::Dict(codes, dict) => {
                        lent[j] = codes.get(p).and_then(|code| dict.get(*code as usize));
                        if lent[j].is_none() {
                            scratch[j] = Value::Null;
                        }
                    }
                    Values::Other(col) => scratch[j] = self.value_at(col, p).map_or(Value::Null, Cow::into_owned),
                }
            }
            let pick = |j: usize| lent[j].unwrap_or(&scratch[j]);
            let go = match keys.len() {
                0 => f(i, &[]),
                1 => f(i, &[pick(0)]),
                2 => f(i, &[pick(0), pick(1)]),
                3 => f(i, &[pick(0), pick(1), pick(2)]),
                n => {
                    let many: Vec<&Value> = (0..n).map(pick).collect();
                    f(i, &many)
                }
            };
            if !go {
                return;
            }
        }
    }

    /// `scan_values` a chunk at a time, columns as the base holds them
    /// (see [`ColumnChunk`]); `id` turns a dense index into a node id.
    pub fn scan_chunks(
        &self,
        members: &[u32],
        keys: &[KeyId],
        f: &mut dyn FnMut(&[NodeId], &[ColumnChunk<'_>]) -> bool,
    ) {
        enum Buf {
            Ints(Vec<i64>, Vec<bool>),
            Codes(Vec<u32>, Vec<bool>),
            Values(Vec<Value>),
        }
        let mut cols: Vec<Option<ColumnScan<'_>>> = keys
            .iter()
            .map(|k| self.column(0, *k).map(|c| self.column_scan(c)))
            .collect();
        let mut bufs: Vec<Buf> = cols
            .iter()
            .map(|c| match c.as_ref().map(|c| &c.values) {
                None | Some(Values::Int(_)) => Buf::Ints(Vec::with_capacity(CHUNK), Vec::with_capacity(CHUNK)),
                Some(Values::Dict(..)) => Buf::Codes(Vec::with_capacity(CHUNK), Vec::with_capacity(CHUNK)),
                Some(_) => Buf::Values(Vec::with_capacity(CHUNK)),
            })
            .collect();
        let mut ids: Vec<NodeId> = Vec::with_capacity(CHUNK);
        for chunk in members.chunks(CHUNK) {
            ids.clear();
            ids.extend(chunk.iter().map(|i| self.node_id(*i)));
            for (c, b) in cols.iter_mut().zip(bufs.iter_mut()) {
                match (c, b) {
                    (None, Buf::Ints(v, p)) => {
                        v.clear();
                        v.resize(chunk.len(), 0);
                        p.clear();
                        p.resize(chunk.len(), false);
                    }
                    (Some(c), Buf::Ints(v, p)) => {
                        let Values::Int(vals) = c.values else {
                            unreachable!("an integer column")
                        };
                        v.clear();
                        p.clear();
                        for &i in chunk {
                            match c.present.position(i).and_then(|at| vals.get(at)) {
                                Some(x) => {
                                    v.push(*x);
                                    p.push(true);
                                }
                                None => {
                                    v.push(0);
                                    p.push(false);
                                }
                            }
                        }
                    }
                    (Some(c), Buf::Codes(v, p)) => {
                        let Values::Dict(codes, _) = c.values else {
                            unreachable!("a dictionary column")
                        };
                        v.clear();
                        p.clear();
                        for &i in chunk {
                            match c.present.position(i).and_then(|at| codes.get(at)) {
                                Some(x) => {
                                    v.push(*x);
                                    p.push(true);
                                }
                                None => {
                                    v.push(0);
                                    p.push(false);
                                }
                            }
                        }
                    }
                    (Some(c), Buf::Values(v)) => {
                        v.clear();
                        for &i in chunk {
                            v.push(match c.present.position(i) {
                                Some(at) => match &c.values {
                                    Values::Float(x) => x.get(at).map_or(Value::Null, |x| Value::Float(*x)),
                                    Values::Bool(w) => w
                                        .get(at / 64)
                                        .map_or(Value::Null, |w| Value::Bool(w >> (at % 64) & 1 == 1)),
                                    Values::Other(col) => self.value_at(col, at).map_or(Value::Null, Cow::into_owned),
                                    _ => Value::Null,
                                },
                                None => Value::Null,
                            });
                        }
                    }
                    _ => unreachable!("a buffer of the column's kind"),
                }
            }
            let chunks: Vec<ColumnChunk<'_>> = bufs
                .iter()
                .zip(&cols)
                .map(|(b, c)| match b {
                    Buf::Ints(v, p) => ColumnChunk::Ints { values: v, present: p },
                    Buf::Codes(v, p) => ColumnChunk::Codes {
                        codes: v,
                        present: p,
                        dict: match c.as_ref().map(|c| &c.values) {
                            Some(Values::Dict(_, d)) => d,
                            _ => &[],
                        },
                    },
                    Buf::Values(v) => ColumnChunk::Values(v),
                })
                .collect();
            if !f(&ids, &chunks) {
                return;
            }
        }
    }

    /// A column's arrays, resolved once for a scan in ascending order.
    fn column_scan<'a>(&'a self, c: &'a Column) -> ColumnScan<'a> {
        let present = if c.dense {
            Present::Dense(self.arr(&c.present))
        } else {
            Present::Sparse {
                idx: self.arr(&c.idx),
                at: 0,
            }
        };
        let values = match c.kind {
            ColumnKind::Int => Values::Int(self.arr(&c.val)),
            ColumnKind::Float => Values::Float(self.arr(&c.val)),
            ColumnKind::Bool => Values::Bool(self.arr(&c.val)),
            ColumnKind::Dict => Values::Dict(self.arr(&c.val), self.dict(c)),
            ColumnKind::Str | ColumnKind::Any => Values::Other(c),
        };
        ColumnScan { present, values }
    }

    // ---- relationships -------------------------------------------------

    pub fn relationship(&self, i: u32) -> Option<RelInfo> {
        let t = *self.arr::<u32>(&self.rel_type).get(i as usize)?;
        let s = *self.arr::<u32>(&self.rel_start).get(i as usize)?;
        let e = *self.arr::<u32>(&self.rel_end).get(i as usize)?;
        Some(RelInfo {
            id: self.rel_id(i),
            rel_type: *self.type_map.get(t as usize)?,
            start: self.node_id(s),
            end: self.node_id(e),
        })
    }

    /// The relationships at dense node `i` in direction `d` (`Outgoing` or
    /// `Incoming`) of one of `types` (empty: any): `(dense rel, dense other end)`,
    /// by relationship id.
    pub fn adjacent(&self, i: u32, d: Dir, types: &[TypeId]) -> Adjacent<'_> {
        let (off, rel, nbr, ty) = &self.adj[usize::from(d == Dir::Incoming)];
        let offs: &[u64] = self.arr(off);
        let (a, b) = (
            offs.get(i as usize).copied().unwrap_or(0) as usize,
            offs.get(i as usize + 1).copied().unwrap_or(0) as usize,
        );
        let rels: &[u32] = self.arr(rel);
        let nbrs: &[u32] = self.arr(nbr);
        let (rels, nbrs) = (rels.get(a..b).unwrap_or(&[]), nbrs.get(a..b).unwrap_or(&[]));
        // The base's own ids of the wanted types; a type the base lacks matches nothing here.
        let filter = if types.is_empty() {
            Filter::All
        } else if self.multi_type {
            let wanted: Vec<u32> = self
                .type_map
                .iter()
                .enumerate()
                .filter(|(_, t)| types.contains(t))
                .map(|(i, _)| i as u32)
                .collect();
            let tys: &[u32] = self.arr(ty);
            Filter::Types(tys.get(a..b).unwrap_or(&[]), wanted)
        } else {
            // One type in the whole base: every relationship or none.
            let only = self
                .arr::<u32>(&self.rel_type)
                .first()
                .and_then(|t| self.type_map.get(*t as usize));
            if only.is_some_and(|t| types.contains(t)) {
                Filter::All
            } else {
                Filter::None
            }
        };
        Adjacent {
            rels,
            nbrs,
            filter,
            at: 0,
        }
    }

    // ---- indexes and constraints -----------------------------------------

    pub fn constraints(&self) -> Arc<Vec<Constraint>> {
        self.constraints.clone()
    }

    pub fn indexes(&self) -> impl Iterator<Item = (&str, LabelId, KeyId, usize, usize)> + '_ {
        self.indexes
            .iter()
            .map(|i| (i.name.as_str(), i.label, i.key, i.entries, i.distinct))
    }

    /// The base's index of `key` on `label`, as the nodes (dense) for `seek`;
    /// `None` when the base has no such index.
    pub fn index_seek(&self, label: LabelId, key: KeyId, seek: Seek<'_>) -> Option<Vec<u32>> {
        let ix = self.indexes.iter().find(|i| i.label == label && i.key == key)?;
        let nodes: &[u32] = self.arr(&ix.node);
        let key_at = |i: usize| self.index_key(ix, i);
        let n = nodes.len();
        let ints: &[i64] = match ix.kind {
            KeyKind::Int => self.arr(&ix.int),
            _ => &[],
        };
        // Key `i` against `v`: integers and strings straight from the arrays
        // (no value made), anything else through the ORDER BY order.
        let cmp = |i: usize, v: &Value| match (ix.kind, v) {
            (KeyKind::Int, Value::Int(x)) => ints.get(i).map_or(Ordering::Less, |k| k.cmp(x)),
            (KeyKind::Str, Value::String(x)) => self.index_bytes(ix, i).map_or(Ordering::Less, |k| k.cmp(x.as_bytes())),
            _ => key_at(i).map_or(Ordering::Less, |k| order(&k, v)),
        };
        // The first entry whose key is not less than `v` (or greater, when `past`).
        let bound = |v: &Value, past: bool| {
            if let (KeyKind::Int, Value::Int(x), true) = (ix.kind, v, ints.len() == n) {
                return int_bound(ints, *x, past);
            }
            let (mut lo, mut hi) = (0, n);
            while lo < hi {
                let mid = (lo + hi) / 2;
                let o = cmp(mid, v);
                if o == Ordering::Less || (past && o == Ordering::Equal) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        let (a, b) = match seek {
            Seek::Equal(v) if v.is_null() => (0, 0),
            Seek::Equal(v) => {
                // Keys are mostly unique: step past the equal ones rather than search again.
                let a = bound(v, false);
                let mut b = a;
                while b < n && cmp(b, v) == Ordering::Equal {
                    b += 1;
                }
                (a, b)
            }
            Seek::Range { lower, upper } => {
                let Some(anchor) = lower.or(upper).map(|(v, _)| v) else {
                    return Some(Vec::new());
                };
                if anchor.is_null()
                    || lower.is_some_and(|(v, _)| v.is_null())
                    || upper.is_some_and(|(v, _)| v.is_null())
                {
                    return Some(Vec::new());
                }
                // Keys of one kind (numbers, strings, ...) lie together in ORDER BY order:
                // an open end stops where the bound's kind does.
                let class = super::index::class(anchor);
                let same = |i: usize| key_at(i).is_some_and(|k| super::index::class(&k) == class);
                let (a, b) = match (lower, upper) {
                    (Some((l, li)), Some((u, ui))) => (bound(l, !li), bound(u, ui)),
                    (Some((l, li)), None) => {
                        let a = bound(l, !li);
                        let mut b = a;
                        while b < n && same(b) {
                            b += 1;
                        }
                        (a, b)
                    }
                    (None, Some((u, ui))) => {
                        let b = bound(u, ui);
                        let mut a = b;
                        while a > 0 && same(a - 1) {
                            a -= 1;
                        }
                        (a, b)
                    }
                    (None, None) => (0, 0),
                };
                let mut out: Vec<u32> = (a..b.max(a))
                    .filter(|i| same(*i))
                    .filter_map(|i| nodes.get(i).copied())
                    .collect();
                out.sort_unstable();
                return Some(out);
            }
        };
        let mut out: Vec<u32> = nodes.get(a..b.max(a)).unwrap_or(&[]).to_vec();
        out.sort_unstable();
        Some(out)
    }

    /// The encoded bytes of key `i` of a string or any-kind index.
    fn index_bytes(&self, ix: &Index, i: usize) -> Option<&[u8]> {
        let off: &[u64] = self.arr(&ix.off);
        let (a, b) = (*off.get(i)? as usize, *off.get(i + 1)? as usize);
        self.bytes(&ix.bytes).get(a..b)
    }

    fn index_key(&self, ix: &Index, i: usize) -> Option<Value> {
        match ix.kind {
            KeyKind::Int => self.arr::<i64>(&ix.int).get(i).map(|v| Value::Int(*v)),
            KeyKind::Str | KeyKind::Any => {
                let bytes = self.index_bytes(ix, i)?;
                if ix.kind == KeyKind::Str {
                    Some(Value::String(Arc::from(std::str::from_utf8(bytes).ok()?)))
                } else {
                    value::decode_all(bytes)
                }
            }
        }
    }
}

/// Which entities of a column have a value, for a scan in ascending order.
enum Present<'a> {
    Dense(&'a [u64]),
    /// The entities with a value, ascending, and how far the scan has come.
    Sparse {
        idx: &'a [u32],
        at: usize,
    },
}

impl Present<'_> {
    /// Where entity `i`'s value is (`i` never smaller than the last asked).
    #[inline]
    fn position(&mut self, i: u32) -> Option<usize> {
        match self {
            Present::Dense(words) => {
                let w = words.get(i as usize / 64)?;
                (w >> (i % 64) & 1 == 1).then_some(i as usize)
            }
            Present::Sparse { idx, at } => {
                *at += idx.get(*at..)?.partition_point(|x| *x < i);
                (idx.get(*at) == Some(&i)).then_some(*at)
            }
        }
    }
}

enum Values<'a> {
    Int(&'a [i64]),
    Float(&'a [f64]),
    Bool(&'a [u64]),
    Dict(&'a [u32], &'a [Value]),
    Other(&'a Column),
}

struct ColumnScan<'a> {
    present: Present<'a>,
    values: Values<'a>,
}

enum Filter<'a> {
    All,
    None,
    Types(&'a [u32], Vec<u32>),
}

/// The relationships at one node, in one direction.
pub struct Adjacent<'a> {
    rels: &'a [u32],
    nbrs: &'a [u32],
    filter: Filter<'a>,
    at: usize,
}

impl Iterator for Adjacent<'_> {
    /// `(dense relationship, dense other end)`.
    type Item = (u32, u32);

    #[inline]
    fn next(&mut self) -> Option<(u32, u32)> {
        loop {
            let i = self.at;
            let (r, n) = (*self.rels.get(i)?, *self.nbrs.get(i)?);
            self.at += 1;
            match &self.filter {
                Filter::All => return Some((r, n)),
                Filter::None => return None,
                Filter::Types(tys, wanted) => {
                    if tys.get(i).is_some_and(|t| wanted.contains(t)) {
                        return Some((r, n));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;

/// The first position of ascending `keys` whose key is not less than `x`
/// (greater, when `past`). Interpolation first, while the keys of the range
/// left are spread about evenly (ids, timestamps: one or two probes), then
/// binary search on what remains: never more probes than a few plus the
/// binary search's.
fn int_bound(keys: &[i64], x: i64, past: bool) -> usize {
    let before = |k: i64| if past { k <= x } else { k < x };
    // keys[..lo] are before x, keys[hi..] are not.
    let (mut lo, mut hi) = (0usize, keys.len());
    for _ in 0..4 {
        if hi - lo < 16 {
            break;
        }
        let (a, b) = (keys[lo], keys[hi - 1]);
        if !before(a) {
            return lo;
        }
        if before(b) {
            return hi;
        }
        // a is before x and b is not, so a < b, and the guess lies in lo..hi.
        let at = (i128::from(x) - i128::from(a)) * (hi - 1 - lo) as i128 / (i128::from(b) - i128::from(a));
        let guess = (lo + at.clamp(0, (hi - 1 - lo) as i128) as usize).min(hi - 1);
        if before(keys[guess]) {
            lo = guess + 1;
        } else {
            hi = guess;
        }
    }
    lo + keys[lo..hi].partition_point(|k| before(*k))
}
