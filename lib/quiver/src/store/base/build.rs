//! Building a base: nodes and relationships handed over in ascending id
//! order, laid out as the arrays `mod.rs` reads (adjacency in CSR form,
//! typed property columns, label member lists, sorted index entries).

use std::cmp::Ordering;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::value::{encode, varint};
use super::{ColumnKind, KeyKind, META_MAGIC};
use crate::store::catalog::{Catalog, KeyId, LabelId, TypeId};
use crate::store::constraint::{Constraint, Target};
use crate::store::read::GraphRead;
use crate::value::order::order;
use crate::value::Value;

/// One property key's values over one kind of entity, as they come.
struct ColumnBuilder {
    /// Dense indices of the entities that carry the key, ascending.
    idx: Vec<u32>,
    values: Values,
}

enum Values {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Bool(Vec<bool>),
    Str(Vec<Arc<str>>),
    Any(Vec<Value>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Str(v) => v.len(),
            Values::Any(v) => v.len(),
        }
    }

    /// Everything so far as general values (when a value of another kind arrives).
    fn generalise(&mut self) -> &mut Vec<Value> {
        let any = match std::mem::replace(self, Values::Any(Vec::new())) {
            Values::Int(v) => v.into_iter().map(Value::Int).collect(),
            Values::Float(v) => v.into_iter().map(Value::Float).collect(),
            Values::Bool(v) => v.into_iter().map(Value::Bool).collect(),
            Values::Str(v) => v.into_iter().map(Value::String).collect(),
            Values::Any(v) => v,
        };
        *self = Values::Any(any);
        match self {
            Values::Any(v) => v,
            _ => unreachable!("just made"),
        }
    }

    fn push(&mut self, v: Value) {
        match (&mut *self, v) {
            (Values::Int(a), Value::Int(i)) => a.push(i),
            (Values::Float(a), Value::Float(f)) => a.push(f),
            (Values::Bool(a), Value::Bool(b)) => a.push(b),
            (Values::Str(a), Value::String(s)) => a.push(s),
            (Values::Any(a), v) => a.push(v),
            (_, v) => self.generalise().push(v),
        }
    }
}

impl ColumnBuilder {
    /// A column whose first value is `first`, with room for `room` values.
    fn new(first: &Value, room: usize) -> ColumnBuilder {
        let values = match first {
            Value::Int(_) => Values::Int(Vec::with_capacity(room)),
            Value::Float(_) => Values::Float(Vec::with_capacity(room)),
            Value::Bool(_) => Values::Bool(Vec::with_capacity(room)),
            Value::String(_) => Values::Str(Vec::with_capacity(room)),
            _ => Values::Any(Vec::with_capacity(room)),
        };
        ColumnBuilder {
            idx: Vec::with_capacity(room),
            values,
        }
    }
}

/// The property indexes to build: `(name, label, key)`.
pub type IndexSpec = (String, LabelId, KeyId);

/// Collects a graph, then lays it out ([`BaseBuilder::finish`]).
#[derive(Default)]
pub struct BaseBuilder {
    node_ids: Vec<u64>,
    label_off: Vec<u32>,
    label_ids: Vec<LabelId>,
    node_props: FxHashMap<KeyId, ColumnBuilder>,
    /// Relationship ids, once they are not `0..n` (until then `rel_count`).
    rel_ids: Option<Vec<u64>>,
    rel_count: usize,
    rel_types: Vec<TypeId>,
    /// Dense node indices of each relationship's ends.
    rel_start: Vec<u32>,
    rel_end: Vec<u32>,
    rel_props: FxHashMap<KeyId, ColumnBuilder>,
    indexes: Vec<IndexSpec>,
    constraints: Vec<Constraint>,
    next_node: u64,
    next_rel: u64,
    /// How many nodes and relationships are coming (`reserve`): a column the
    /// first of them carries gets room for all of them.
    expect: (usize, usize),
}

/// A base laid out: its metadata and its array sections, each to be placed
/// at a page boundary.
pub struct Built {
    pub meta: Vec<u8>,
    pub sections: Vec<(String, Vec<u8>)>,
    pub header: super::Header,
}

fn bytes_of<T: bytemuck::Pod>(v: &[T]) -> Vec<u8> {
    bytemuck::cast_slice(v).to_vec()
}

fn bitmap(len: usize, set: impl Iterator<Item = usize>) -> Vec<u64> {
    let mut words = vec![0u64; len.div_ceil(64)];
    for i in set {
        words[i / 64] |= 1 << (i % 64);
    }
    words
}

/// Strings as offsets (`n + 1`) and their bytes.
fn strings<'a>(items: impl Iterator<Item = &'a str>) -> (Vec<u64>, Vec<u8>) {
    let mut off = vec![0u64];
    let mut bytes = Vec::new();
    for s in items {
        bytes.extend_from_slice(s.as_bytes());
        off.push(bytes.len() as u64);
    }
    (off, bytes)
}

/// Encoded values as offsets (`n + 1`) and their bytes.
fn encoded<'a>(items: impl Iterator<Item = &'a Value>) -> Result<(Vec<u64>, Vec<u8>), String> {
    let mut off = vec![0u64];
    let mut bytes = Vec::new();
    for v in items {
        if !encode(v, &mut bytes) {
            return Err(format!("a {} cannot be a property", v.type_name()));
        }
        off.push(bytes.len() as u64);
    }
    Ok((off, bytes))
}

struct Meta(Vec<u8>);

impl Meta {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u64(&mut self, v: u64) {
        varint(v, &mut self.0);
    }
    fn str(&mut self, s: &str) {
        varint(s.len() as u64, &mut self.0);
        self.0.extend_from_slice(s.as_bytes());
    }
}

impl BaseBuilder {
    pub fn new() -> BaseBuilder {
        BaseBuilder {
            label_off: vec![0],
            ..BaseBuilder::default()
        }
    }

    /// The id counters the base records (every id it holds is below them).
    /// Makes room for `nodes` more nodes and `rels` more relationships, so
    /// that a large base is built without its arrays' growth doubling them.
    pub fn reserve(&mut self, nodes: usize, rels: usize) {
        self.node_ids.reserve_exact(nodes);
        self.label_off.reserve_exact(nodes);
        self.rel_types.reserve_exact(rels);
        self.rel_start.reserve_exact(rels);
        self.rel_end.reserve_exact(rels);
        self.expect = (nodes, rels);
    }

    pub fn counters(&mut self, next_node: u64, next_rel: u64) {
        self.next_node = self.next_node.max(next_node);
        self.next_rel = self.next_rel.max(next_rel);
    }

    pub fn index(&mut self, name: &str, label: LabelId, key: KeyId) {
        self.indexes.push((name.to_string(), label, key));
    }

    pub fn node_count(&self) -> usize {
        self.node_ids.len()
    }

    pub fn rel_count(&self) -> usize {
        self.rel_count
    }

    /// The dense index of node `id`, among the nodes added so far.
    fn dense_node(&self, id: u64) -> Option<u32> {
        let n = self.node_ids.len();
        if n > 0 && self.node_ids[n - 1] == (n - 1) as u64 {
            // Dense so far: the id is the index.
            return (id < n as u64).then_some(id as u32);
        }
        self.node_ids.binary_search(&id).ok().map(|i| i as u32)
    }

    /// Adds a node; ids must come in ascending order.
    pub fn add_node(
        &mut self,
        id: u64,
        labels: &[LabelId],
        props: impl IntoIterator<Item = (KeyId, Value)>,
    ) -> Result<(), String> {
        if self.node_ids.last().is_some_and(|last| *last >= id) {
            return Err(format!("node {id} comes after a node with a higher id"));
        }
        let i = self.node_ids.len() as u32;
        self.node_ids.push(id);
        let start = self.label_ids.len();
        self.label_ids.extend_from_slice(labels);
        self.label_ids[start..].sort_unstable();
        let mut w = start;
        for r in start..self.label_ids.len() {
            if r == start || self.label_ids[r] != self.label_ids[w - 1] {
                self.label_ids[w] = self.label_ids[r];
                w += 1;
            }
        }
        self.label_ids.truncate(w);
        self.label_off.push(self.label_ids.len() as u32);
        for (k, v) in props {
            if v.is_null() {
                continue;
            }
            let room = if i == 0 { self.expect.0 } else { 0 };
            let col = self.node_props.entry(k).or_insert_with(|| ColumnBuilder::new(&v, room));
            if col.idx.last() == Some(&i) {
                return Err(format!("node {id} has key {k} twice"));
            }
            col.idx.push(i);
            col.values.push(v);
        }
        self.next_node = self.next_node.max(id + 1);
        Ok(())
    }

    /// Adds a relationship between two nodes added already; ids ascending.
    pub fn add_rel(
        &mut self,
        id: u64,
        rel_type: TypeId,
        start: u64,
        end: u64,
        props: impl IntoIterator<Item = (KeyId, Value)>,
    ) -> Result<(), String> {
        let last = match &self.rel_ids {
            Some(ids) => ids.last().copied(),
            None => self.rel_count.checked_sub(1).map(|l| l as u64),
        };
        if last.is_some_and(|last| last >= id) {
            return Err(format!("relationship {id} comes after one with a higher id"));
        }
        let (Some(s), Some(e)) = (self.dense_node(start), self.dense_node(end)) else {
            let missing = if self.dense_node(start).is_none() { start } else { end };
            return Err(format!(
                "relationship {id} ends at node {missing}, which is not in the graph"
            ));
        };
        let i = self.rel_count as u32;
        match &mut self.rel_ids {
            Some(ids) => ids.push(id),
            None if id == self.rel_count as u64 => {}
            None => {
                let mut ids: Vec<u64> = (0..self.rel_count as u64).collect();
                ids.push(id);
                self.rel_ids = Some(ids);
            }
        }
        self.rel_count += 1;
        self.rel_types.push(rel_type);
        self.rel_start.push(s);
        self.rel_end.push(e);
        for (k, v) in props {
            if v.is_null() {
                continue;
            }
            let room = if i == 0 { self.expect.1 } else { 0 };
            let col = self.rel_props.entry(k).or_insert_with(|| ColumnBuilder::new(&v, room));
            if col.idx.last() == Some(&i) {
                return Err(format!("relationship {id} has key {k} twice"));
            }
            col.idx.push(i);
            col.values.push(v);
        }
        self.next_rel = self.next_rel.max(id + 1);
        Ok(())
    }

    /// Everything `view` holds, in id order (to lay it out again as one base).
    pub fn from_view(view: &dyn GraphRead) -> Result<BaseBuilder, String> {
        let mut b = BaseBuilder::new();
        b.reserve(view.node_count(), view.relationship_count());
        for id in view.nodes() {
            let labels = view.node_labels(id).unwrap_or_default();
            let props = view.node_properties(id).into_iter().map(|(k, v)| (k, v.into_owned()));
            b.add_node(id.0, &labels, props)?;
        }
        for r in view.relationships() {
            let info = view
                .relationship(r)
                .ok_or_else(|| format!("relationship {} is listed but cannot be read", r.0))?;
            let props = view
                .relationship_properties(r)
                .into_iter()
                .map(|(k, v)| (k, v.into_owned()));
            b.add_rel(r.0, info.rel_type, info.start.0, info.end.0, props)?;
        }
        let (next_node, next_rel) = view.id_bounds();
        b.counters(next_node, next_rel);
        for ix in view.indexes() {
            b.index(&ix.name, ix.label, ix.key);
        }
        b.constraints = view.constraints().to_vec();
        Ok(b)
    }

    /// The constraints the base keeps.
    pub fn set_constraints(&mut self, constraints: Vec<Constraint>) {
        self.constraints = constraints;
    }

    /// Lays the graph out; names are the catalog's as they are now.
    pub fn finish(self, catalog: &Catalog, generation: u64, last_txid: u64) -> Result<Built, String> {
        let n = self.node_ids.len();
        let r = self.rel_count;
        if n > u32::MAX as usize || r > u32::MAX as usize {
            return Err("more than 2^32 nodes or relationships".into());
        }
        let mut sections: Vec<(String, Vec<u8>)> = Vec::new();
        let nodes_dense = self.node_ids.iter().enumerate().all(|(i, id)| *id == i as u64);
        let rels_dense = self.rel_ids.is_none();
        if !nodes_dense {
            sections.push(("node.ids".into(), bytes_of(&self.node_ids)));
        }
        if let Some(ids) = &self.rel_ids {
            sections.push(("rel.ids".into(), bytes_of(ids)));
        }
        sections.push(("node.label_off".into(), bytes_of(&self.label_off)));
        sections.push(("node.label_ids".into(), bytes_of(&self.label_ids)));
        // Each label's members, ascending.
        let mut members: FxHashMap<LabelId, Vec<u32>> = FxHashMap::default();
        for i in 0..n {
            let (a, b) = (self.label_off[i] as usize, self.label_off[i + 1] as usize);
            for l in &self.label_ids[a..b] {
                members.entry(*l).or_default().push(i as u32);
            }
        }
        let mut labels: Vec<(LabelId, u64)> = members.iter().map(|(l, m)| (*l, m.len() as u64)).collect();
        labels.sort_unstable();
        for (l, _) in &labels {
            sections.push((format!("label.{l}"), bytes_of(&members[l])));
        }
        drop(members);
        let (start, end) = (&self.rel_start, &self.rel_end);
        let multi_type = self.rel_types.iter().any(|t| *t != self.rel_types[0]);
        sections.push(("rel.type".into(), bytes_of(&self.rel_types)));
        let mut type_counts: FxHashMap<TypeId, u64> = FxHashMap::default();
        for t in &self.rel_types {
            *type_counts.entry(*t).or_default() += 1;
        }
        // Adjacency, per direction: offsets by node, then (relationship, other
        // end) in relationship order, and the type where there are several.
        for (dir, from, to) in [("out", start, end), ("in", end, start)] {
            let mut off = vec![0u64; n + 1];
            for s in from.iter() {
                off[*s as usize + 1] += 1;
            }
            for i in 0..n {
                off[i + 1] += off[i];
            }
            let mut fill = off.clone();
            let mut rel = vec![0u32; r];
            let mut nbr = vec![0u32; r];
            let mut ty = if multi_type { vec![0u32; r] } else { Vec::new() };
            for i in 0..r {
                let s = from[i] as usize;
                let at = fill[s] as usize;
                fill[s] += 1;
                rel[at] = i as u32;
                nbr[at] = to[i];
                if multi_type {
                    ty[at] = self.rel_types[i];
                }
            }
            sections.push((format!("{dir}.off"), bytes_of(&off)));
            sections.push((format!("{dir}.rel"), bytes_of(&rel)));
            sections.push((format!("{dir}.nbr"), bytes_of(&nbr)));
            if multi_type {
                sections.push((format!("{dir}.type"), bytes_of(&ty)));
            }
        }
        sections.push(("rel.start".into(), bytes_of(start)));
        sections.push(("rel.end".into(), bytes_of(end)));
        // Property columns.
        let mut columns: Vec<(u8, KeyId, ColumnKind, bool, u64)> = Vec::new();
        for (entity, props, count) in [(0u8, &self.node_props, n), (1u8, &self.rel_props, r)] {
            let mut keys: Vec<&KeyId> = props.keys().collect();
            keys.sort_unstable();
            for k in keys {
                let col = &props[k];
                let len = col.idx.len();
                // Dense (indexed by entity) once an eighth of the entities carry the key.
                let dense = len * 8 >= count;
                let prefix = format!("col.{entity}.{k}");
                if dense {
                    let words = bitmap(count, col.idx.iter().map(|i| *i as usize));
                    sections.push((format!("{prefix}.present"), bytes_of(&words)));
                } else {
                    sections.push((format!("{prefix}.idx"), bytes_of(&col.idx)));
                }
                // Where a value of entity `i` goes: its index (dense) or its rank (sparse).
                let slot = |j: usize| if dense { col.idx[j] as usize } else { j };
                let width = if dense { count } else { len };
                let kind = match &col.values {
                    Values::Int(v) => {
                        let mut out = vec![0i64; width];
                        for (j, x) in v.iter().enumerate() {
                            out[slot(j)] = *x;
                        }
                        sections.push((format!("{prefix}.val"), bytes_of(&out)));
                        ColumnKind::Int
                    }
                    Values::Float(v) => {
                        let mut out = vec![0f64; width];
                        for (j, x) in v.iter().enumerate() {
                            out[slot(j)] = *x;
                        }
                        sections.push((format!("{prefix}.val"), bytes_of(&out)));
                        ColumnKind::Float
                    }
                    Values::Bool(v) => {
                        let words = bitmap(width, v.iter().enumerate().filter(|(_, b)| **b).map(|(j, _)| slot(j)));
                        sections.push((format!("{prefix}.val"), bytes_of(&words)));
                        ColumnKind::Bool
                    }
                    Values::Str(v) => {
                        // Few distinct strings (a country, a status): a dictionary and codes.
                        let mut dict: FxHashMap<&str, u32> = FxHashMap::default();
                        let limit = (len / 16).max(256);
                        for s in v.iter() {
                            if dict.len() > limit {
                                break;
                            }
                            let next = dict.len() as u32;
                            dict.entry(&**s).or_insert(next);
                        }
                        if dict.len() <= limit {
                            let mut codes = vec![0u32; width];
                            for (j, s) in v.iter().enumerate() {
                                codes[slot(j)] = dict[&**s];
                            }
                            let mut entries: Vec<(&str, u32)> = dict.into_iter().collect();
                            entries.sort_unstable_by_key(|(_, c)| *c);
                            let (off, bytes) = strings(entries.iter().map(|(s, _)| *s));
                            sections.push((format!("{prefix}.val"), bytes_of(&codes)));
                            sections.push((format!("{prefix}.doff"), bytes_of(&off)));
                            sections.push((format!("{prefix}.dbytes"), bytes));
                            ColumnKind::Dict
                        } else {
                            let mut ordered: Vec<&str> = vec![""; width];
                            for (j, s) in v.iter().enumerate() {
                                ordered[slot(j)] = s;
                            }
                            let (off, bytes) = strings(ordered.into_iter());
                            sections.push((format!("{prefix}.off"), bytes_of(&off)));
                            sections.push((format!("{prefix}.bytes"), bytes));
                            ColumnKind::Str
                        }
                    }
                    Values::Any(v) => {
                        let mut ordered: Vec<&Value> = vec![&Value::Null; width];
                        for (j, x) in v.iter().enumerate() {
                            ordered[slot(j)] = x;
                        }
                        let mut off = vec![0u64];
                        let mut bytes = Vec::new();
                        for x in ordered {
                            if !x.is_null() && !encode(x, &mut bytes) {
                                return Err(format!("a {} cannot be a property", x.type_name()));
                            }
                            off.push(bytes.len() as u64);
                        }
                        sections.push((format!("{prefix}.off"), bytes_of(&off)));
                        sections.push((format!("{prefix}.bytes"), bytes));
                        ColumnKind::Any
                    }
                };
                debug_assert_eq!(col.values.len(), len);
                columns.push((entity, *k, kind, dense, len as u64));
            }
        }
        // Indexes: (value, node) in ORDER BY order.
        let mut index_meta: Vec<(String, LabelId, KeyId, KeyKind, u64, u64)> = Vec::new();
        for (i, (name, label, key)) in self.indexes.iter().enumerate() {
            let mut entries: Vec<(Value, u32)> = Vec::new();
            if let Some(col) = self.node_props.get(key) {
                for (j, idx) in col.idx.iter().enumerate() {
                    let (a, b) = (
                        self.label_off[*idx as usize] as usize,
                        self.label_off[*idx as usize + 1] as usize,
                    );
                    if self.label_ids[a..b].binary_search(label).is_ok() {
                        entries.push((value_at(&col.values, j), *idx));
                    }
                }
            }
            entries.sort_by(|a, b| order(&a.0, &b.0).then(a.1.cmp(&b.1)));
            let distinct = entries
                .windows(2)
                .filter(|w| order(&w[0].0, &w[1].0) != Ordering::Equal)
                .count() as u64
                + u64::from(!entries.is_empty());
            let nodes: Vec<u32> = entries.iter().map(|(_, n)| *n).collect();
            let prefix = format!("ix.{i}");
            sections.push((format!("{prefix}.node"), bytes_of(&nodes)));
            let kind = if entries.iter().all(|(v, _)| matches!(v, Value::Int(_))) {
                let ints: Vec<i64> = entries.iter().map(|(v, _)| v.as_int().unwrap_or(0)).collect();
                sections.push((format!("{prefix}.int"), bytes_of(&ints)));
                KeyKind::Int
            } else if entries.iter().all(|(v, _)| matches!(v, Value::String(_))) {
                let (off, bytes) = strings(entries.iter().map(|(v, _)| v.as_str().unwrap_or("")));
                sections.push((format!("{prefix}.off"), bytes_of(&off)));
                sections.push((format!("{prefix}.bytes"), bytes));
                KeyKind::Str
            } else {
                let (off, bytes) = encoded(entries.iter().map(|(v, _)| v))?;
                sections.push((format!("{prefix}.off"), bytes_of(&off)));
                sections.push((format!("{prefix}.bytes"), bytes));
                KeyKind::Any
            };
            index_meta.push((name.clone(), *label, *key, kind, entries.len() as u64, distinct));
        }
        // The metadata.
        let mut m = Meta(Vec::new());
        m.0.extend_from_slice(META_MAGIC);
        for v in [n as u64, r as u64, self.next_node, self.next_rel, generation, last_txid] {
            m.u64(v);
        }
        m.u8(u8::from(nodes_dense) | u8::from(rels_dense) << 1 | u8::from(multi_type) << 2);
        for table in [&catalog.labels, &catalog.types, &catalog.keys] {
            let names = table.all();
            m.u64(names.len() as u64);
            for (_, name) in names {
                m.str(&name);
            }
        }
        m.u64(labels.len() as u64);
        for (l, count) in &labels {
            m.u64(u64::from(*l));
            m.u64(*count);
        }
        let mut types: Vec<(TypeId, u64)> = type_counts.into_iter().collect();
        types.sort_unstable();
        m.u64(types.len() as u64);
        for (t, count) in &types {
            m.u64(u64::from(*t));
            m.u64(*count);
        }
        m.u64(columns.len() as u64);
        for (entity, key, kind, dense, count) in &columns {
            m.u8(*entity);
            m.u64(u64::from(*key));
            m.u8(*kind as u8);
            m.u8(u8::from(*dense));
            m.u64(*count);
        }
        m.u64(index_meta.len() as u64);
        for (name, label, key, kind, entries, distinct) in &index_meta {
            m.str(name);
            m.u64(u64::from(*label));
            m.u64(u64::from(*key));
            m.u8(*kind as u8);
            m.u64(*entries);
            m.u64(*distinct);
        }
        // Constraints (from version 3; a version-2 metadata ends before them).
        m.u64(self.constraints.len() as u64);
        for c in &self.constraints {
            m.str(&c.name);
            match c.target {
                Target::Node(l) => {
                    m.u8(0);
                    m.u64(u64::from(l));
                }
                Target::Relationship(t) => {
                    m.u8(1);
                    m.u64(u64::from(t));
                }
            }
            m.u64(c.keys.len() as u64);
            for k in &c.keys {
                m.u64(u64::from(*k));
            }
            m.u8(c.requirement.code());
            m.str(c.requirement.type_text());
        }
        Ok(Built {
            meta: m.0,
            sections,
            header: super::Header {
                generation,
                last_txid,
                node_count: n as u64,
                rel_count: r as u64,
                next_node: self.next_node,
                next_rel: self.next_rel,
            },
        })
    }
}

fn value_at(values: &Values, j: usize) -> Value {
    match values {
        Values::Int(v) => Value::Int(v[j]),
        Values::Float(v) => Value::Float(v[j]),
        Values::Bool(v) => Value::Bool(v[j]),
        Values::Str(v) => Value::String(v[j].clone()),
        Values::Any(v) => v[j].clone(),
    }
}
