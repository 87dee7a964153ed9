//! A view of the graph: a base and the layers above it (the committed
//! changes since the base, and a write transaction's own), read as one.
//! An entity is read from the topmost layer that has an entry for it, else
//! from the base. With empty layers every read goes straight to the base.

use std::borrow::Cow;
use std::sync::Arc;

use super::base::Base;
use super::catalog::{Catalog, KeyId, LabelId, TypeId};
use super::constraint::Constraint;
use super::index::PropertyIndex;
use super::layer::{IndexSpec, Layer, NodeData, RelData, Seen};
use super::read::{ColumnChunk, GraphRead, IndexInfo, Neighbours, NodeIter, PropRef, RelInfo, Seek, CHUNK};
use super::Dir;
use crate::value::{NodeId, RelId, Value};

#[derive(Clone, Copy)]
pub struct Stack<'a> {
    pub base: &'a Base,
    /// Bottom first.
    layers: [Option<&'a Layer>; 2],
    pub catalog: &'a Catalog,
}

/// Where a node's state is read from.
#[derive(Clone, Copy)]
enum NodeAt<'a> {
    Layer(&'a NodeData),
    Base(u32),
}

enum RelAt<'a> {
    Layer(&'a RelData),
    Base(u32),
}

/// Ascending ids from several ascending sources.
struct Merge<'a> {
    sources: Vec<std::iter::Peekable<Box<dyn Iterator<Item = u64> + Send + 'a>>>,
}

impl Iterator for Merge<'_> {
    type Item = u64;
    fn next(&mut self) -> Option<u64> {
        let mut best: Option<(usize, u64)> = None;
        for (i, s) in self.sources.iter_mut().enumerate() {
            if let Some(&id) = s.peek() {
                if best.is_none_or(|(_, b)| id < b) {
                    best = Some((i, id));
                }
            }
        }
        let (i, id) = best?;
        self.sources[i].next();
        Some(id)
    }
}

/// Two ascending streams of `(relationship, other end)` as one, by relationship.
struct Both<A: Iterator, B: Iterator> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<A, B> Iterator for Both<A, B>
where
    A: Iterator<Item = (RelId, NodeId)>,
    B: Iterator<Item = (RelId, NodeId)>,
{
    type Item = (RelId, NodeId);
    #[inline]
    fn next(&mut self) -> Option<(RelId, NodeId)> {
        match (self.a.peek(), self.b.peek()) {
            (Some(x), Some(y)) => {
                if x.0 <= y.0 {
                    self.a.next()
                } else {
                    self.b.next()
                }
            }
            (Some(_), None) => self.a.next(),
            (None, _) => self.b.next(),
        }
    }
}

type Ids<'a> = Box<dyn Iterator<Item = u64> + Send + 'a>;

impl<'a> Stack<'a> {
    pub fn new(base: &'a Base, catalog: &'a Catalog) -> Stack<'a> {
        Stack {
            base,
            layers: [None, None],
            catalog,
        }
    }

    /// This view with `layer` on top.
    pub fn with<'b>(&self, layer: &'b Layer) -> Stack<'b>
    where
        'a: 'b,
    {
        let mut s: Stack<'b> = *self;
        match s.layers {
            [None, _] => s.layers[0] = Some(layer),
            [Some(_), None] => s.layers[1] = Some(layer),
            [Some(_), Some(_)] => unreachable!("a view has at most two layers"),
        }
        s
    }

    /// The layers, top first.
    #[inline]
    fn tops(self) -> impl Iterator<Item = &'a Layer> {
        let [a, b] = self.layers;
        [b, a].into_iter().flatten()
    }

    /// The layers from `level` up (0: all of them), bottom first.
    #[inline]
    fn from_level(self, level: usize) -> impl Iterator<Item = &'a Layer> {
        self.layers.into_iter().skip(level).flatten()
    }

    /// Whether no layer holds anything: every read goes to the base.
    #[inline]
    fn plain(self) -> bool {
        self.tops().all(Layer::no_entities)
    }

    /// Whether a layer from `level` up has an entry for node `id` (so that
    /// what lies below it does not count).
    #[inline]
    fn node_shadowed(self, id: u64, level: usize) -> bool {
        self.from_level(level).any(|l| !matches!(l.node(id), Seen::Below))
    }

    #[inline]
    fn rel_shadowed(self, id: u64, level: usize) -> bool {
        self.from_level(level).any(|l| !matches!(l.rel(id), Seen::Below))
    }

    /// Whether a layer from `level` up deleted relationship `id`.
    #[inline]
    fn rel_deleted_from(self, id: u64, level: usize) -> bool {
        self.from_level(level).any(|l| matches!(l.rel(id), Seen::Gone))
    }

    #[inline]
    fn node_at(self, id: NodeId) -> Option<NodeAt<'a>> {
        for l in self.tops() {
            match l.node(id.0) {
                Seen::Below => {}
                Seen::Gone => return None,
                Seen::Live(d) => return Some(NodeAt::Layer(d)),
            }
        }
        self.base.node_index(id).map(NodeAt::Base)
    }

    #[inline]
    fn rel_at(self, id: RelId) -> Option<RelAt<'a>> {
        for l in self.tops() {
            match l.rel(id.0) {
                Seen::Below => {}
                Seen::Gone => return None,
                Seen::Live(d) => return Some(RelAt::Layer(d)),
            }
        }
        self.base.rel_index(id).map(RelAt::Base)
    }

    /// A node's whole state (for a layer above to start from).
    pub fn node_data(self, id: NodeId) -> Option<Arc<NodeData>> {
        for l in self.tops() {
            match l.node(id.0) {
                Seen::Below => {}
                Seen::Gone => return None,
                Seen::Live(_) => {
                    // Shared, not copied.
                    if let super::layer::Slot::Live(d) = l.node_slot(id.0) {
                        return Some(d);
                    }
                }
            }
        }
        let i = self.base.node_index(id)?;
        Some(Arc::new(NodeData {
            labels: self.base.node_labels(i),
            props: self
                .base
                .node_properties(i)
                .into_iter()
                .map(|(k, v)| (k, v.into_owned()))
                .collect(),
        }))
    }

    pub fn rel_data(self, id: u64) -> Option<Arc<RelData>> {
        Some(match self.rel_at(RelId(id))? {
            RelAt::Layer(d) => Arc::new(d.clone()),
            RelAt::Base(i) => {
                let r = self.base.relationship(i)?;
                Arc::new(RelData {
                    rel_type: r.rel_type,
                    start: r.start.0,
                    end: r.end.0,
                    props: self
                        .base
                        .rel_properties(i)
                        .into_iter()
                        .map(|(k, v)| (k, v.into_owned()))
                        .collect(),
                })
            }
        })
    }

    pub fn node_value(self, id: NodeId, key: KeyId) -> Option<Value> {
        self.node_prop(id, key).map(Cow::into_owned)
    }

    #[inline]
    pub fn node_prop(self, id: NodeId, key: KeyId) -> Option<PropRef<'a>> {
        match self.node_at(id)? {
            NodeAt::Layer(d) => d.property(key).map(Cow::Borrowed),
            NodeAt::Base(i) => self.base.node_property(i, key),
        }
    }

    pub fn node_props(self, id: NodeId) -> Vec<(KeyId, PropRef<'a>)> {
        match self.node_at(id) {
            Some(NodeAt::Layer(d)) => d.props.iter().map(|(k, v)| (*k, Cow::Borrowed(v))).collect(),
            Some(NodeAt::Base(i)) => self.base.node_properties(i),
            None => Vec::new(),
        }
    }

    pub fn rel_prop(self, id: RelId, key: KeyId) -> Option<PropRef<'a>> {
        match self.rel_at(id)? {
            RelAt::Layer(d) => d.property(key).map(Cow::Borrowed),
            RelAt::Base(i) => self.base.rel_property(i, key),
        }
    }

    pub fn rel_props(self, id: RelId) -> Vec<(KeyId, PropRef<'a>)> {
        match self.rel_at(id) {
            Some(RelAt::Layer(d)) => d.props.iter().map(|(k, v)| (*k, Cow::Borrowed(v))).collect(),
            Some(RelAt::Base(i)) => self.base.rel_properties(i),
            None => Vec::new(),
        }
    }

    pub fn counters(self) -> (u64, u64) {
        match self.tops().next() {
            Some(l) => l.counters(),
            None => (self.base.header().next_node, self.base.header().next_rel),
        }
    }

    /// The constraints in effect.
    pub fn constraints(self) -> Arc<Vec<Constraint>> {
        match self.tops().next() {
            Some(l) => l.constraints.clone(),
            None => self.base.constraints(),
        }
    }

    /// The indexes in effect.
    pub fn index_specs(self) -> Vec<IndexSpec> {
        match self.tops().next() {
            Some(l) => l.specs().to_vec(),
            None => self
                .base
                .indexes()
                .map(|(name, label, key, _, _)| IndexSpec {
                    name: name.to_string(),
                    label,
                    key,
                })
                .collect(),
        }
    }

    /// The ids of a layer's live nodes (`changed`, in any order, and `made`,
    /// ascending) that no layer above `level` shadows, ascending.
    fn layer_ids(self, level: usize, changed: Vec<u64>, made: Ids<'a>) -> [Ids<'a>; 2] {
        let mut changed = changed;
        changed.sort_unstable();
        let above = level + 1;
        [
            Box::new(changed.into_iter().filter(move |id| !self.node_shadowed(*id, above))),
            Box::new(made.filter(move |id| !self.node_shadowed(*id, above))),
        ]
    }

    /// Nodes carrying `label`, ascending.
    pub fn label_nodes(self, label: LabelId) -> NodeIter<'a> {
        let base = self.base;
        let members = base.label_members(label);
        if self.plain() {
            return Box::new(members.iter().map(move |i| base.node_id(*i)));
        }
        let mut sources: Vec<std::iter::Peekable<Ids<'a>>> = Vec::new();
        let from_base: Ids<'a> = Box::new(
            members
                .iter()
                .map(move |i| base.node_id(*i).0)
                .filter(move |id| !self.node_shadowed(*id, 0)),
        );
        sources.push(from_base.peekable());
        for (level, l) in self.layers.iter().enumerate() {
            let Some(l) = l else { continue };
            let changed: Vec<u64> = l
                .changed_members
                .get(&label)
                .map(|m| m.iter().copied().collect())
                .unwrap_or_default();
            let made: Ids<'a> = match l.new_members.get(&label) {
                Some(m) => Box::new(m.iter().copied()),
                None => Box::new(std::iter::empty()),
            };
            for s in self.layer_ids(level, changed, made) {
                sources.push(s.peekable());
            }
        }
        Box::new(Merge { sources }.map(NodeId))
    }

    pub fn all_nodes(self) -> NodeIter<'a> {
        let base = self.base;
        let n = base.node_count() as u32;
        if self.plain() {
            return Box::new((0..n).map(move |i| base.node_id(i)));
        }
        let mut sources: Vec<std::iter::Peekable<Ids<'a>>> = Vec::new();
        let from_base: Ids<'a> = Box::new(
            (0..n)
                .map(move |i| base.node_id(i).0)
                .filter(move |id| !self.node_shadowed(*id, 0)),
        );
        sources.push(from_base.peekable());
        for (level, l) in self.layers.iter().enumerate() {
            let Some(l) = l else { continue };
            let changed: Vec<u64> = l
                .changed_nodes
                .iter()
                .filter(|(_, s)| matches!(s, super::layer::Slot::Live(_)))
                .map(|(id, _)| *id)
                .collect();
            let start = l.node_start;
            let made: Ids<'a> = Box::new(
                l.new_nodes
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.is_some())
                    .map(move |(i, _)| start + i as u64),
            );
            for s in self.layer_ids(level, changed, made) {
                sources.push(s.peekable());
            }
        }
        Box::new(Merge { sources }.map(NodeId))
    }

    pub fn all_rels(self) -> Box<dyn Iterator<Item = RelId> + Send + 'a> {
        let base = self.base;
        let r = base.rel_count() as u32;
        if self.plain() {
            return Box::new((0..r).map(move |i| base.rel_id(i)));
        }
        let mut sources: Vec<std::iter::Peekable<Ids<'a>>> = Vec::new();
        let from_base: Ids<'a> = Box::new(
            (0..r)
                .map(move |i| base.rel_id(i).0)
                .filter(move |id| !self.rel_shadowed(*id, 0)),
        );
        sources.push(from_base.peekable());
        for (level, l) in self.layers.iter().enumerate() {
            let Some(l) = l else { continue };
            let mut changed: Vec<u64> = l
                .changed_rels
                .iter()
                .filter(|(_, s)| matches!(s, super::layer::Slot::Live(_)))
                .map(|(id, _)| *id)
                .collect();
            changed.sort_unstable();
            let start = l.rel_start;
            let above = level + 1;
            let made: Ids<'a> = Box::new(
                l.new_rels
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.is_some())
                    .map(move |(i, _)| start + i as u64)
                    .filter(move |id| !self.rel_shadowed(*id, above)),
            );
            let changed: Ids<'a> = Box::new(changed.into_iter().filter(move |id| !self.rel_shadowed(*id, above)));
            sources.push(changed.peekable());
            sources.push(made.peekable());
        }
        Box::new(Merge { sources }.map(RelId))
    }

    /// `(relationship, other end)` at node `id` in one direction (`Outgoing`
    /// or `Incoming`), by relationship id; `skip_loops` leaves out self-loops.
    fn one_way(self, id: NodeId, outgoing: bool, types: &'a [TypeId], skip_loops: bool) -> Neighbours<'a> {
        let base = self.base;
        let d = if outgoing { Dir::Outgoing } else { Dir::Incoming };
        let from_base: Neighbours<'a> = match base.node_index(id) {
            Some(i) => {
                let any_deleted = self.tops().any(|l| l.deleted_rels > 0);
                Box::new(
                    base.adjacent(i, d, types)
                        .filter(move |(_, o)| !(skip_loops && *o == i))
                        .map(move |(r, o)| (base.rel_id(r), base.node_id(o)))
                        .filter(move |(r, _)| !any_deleted || !self.rel_deleted_from(r.0, 0)),
                )
            }
            None => Box::new(std::iter::empty()),
        };
        // Relationships made in each layer come after everything below it.
        let mut out = from_base;
        let layers = self.layers;
        for (level, l) in layers.into_iter().enumerate() {
            let Some(l) = l else { continue };
            let chains = if outgoing { &l.out } else { &l.inc };
            if !chains.has(id.0) {
                continue;
            }
            let start = l.rel_start;
            let above = level + 1;
            let made = chains.iter(id.0).filter_map(move |off| {
                // Empty: deleted since it was linked.
                let r = l.new_rels.get(off as usize)?.as_ref()?;
                let (this, other) = if outgoing { (r.start, r.end) } else { (r.end, r.start) };
                if this != id.0 || (skip_loops && other == id.0) || (!types.is_empty() && !types.contains(&r.rel_type))
                {
                    return None;
                }
                let rid = start + u64::from(off);
                if self.rel_deleted_from(rid, above) {
                    return None;
                }
                Some((RelId(rid), NodeId(other)))
            });
            out = Box::new(out.chain(made));
        }
        out
    }

    /// What `adjacent` gives, appended to `out`; over a base alone, straight
    /// from its arrays.
    pub fn adjacent_into(self, id: NodeId, dir: Dir, types: &[TypeId], out: &mut Vec<(RelId, NodeId)>) {
        let base = self.base;
        if dir == Dir::Both || !self.plain() {
            out.extend(self.adjacent(id, dir, types));
            return;
        }
        if let Some(i) = base.node_index(id) {
            out.extend(
                base.adjacent(i, dir, types)
                    .map(|(r, o)| (base.rel_id(r), base.node_id(o))),
            );
        }
    }

    pub fn adjacent(self, id: NodeId, dir: Dir, types: &'a [TypeId]) -> Neighbours<'a> {
        let base = self.base;
        if self.plain() {
            let Some(i) = base.node_index(id) else {
                return Box::new(std::iter::empty());
            };
            let map = move |(r, o): (u32, u32)| (base.rel_id(r), base.node_id(o));
            return match dir {
                Dir::Both => Box::new(Both {
                    a: base.adjacent(i, Dir::Outgoing, types).map(map).peekable(),
                    b: base
                        .adjacent(i, Dir::Incoming, types)
                        .filter(move |(_, o)| *o != i)
                        .map(map)
                        .peekable(),
                }),
                d => Box::new(base.adjacent(i, d, types).map(map)),
            };
        }
        match dir {
            Dir::Outgoing => self.one_way(id, true, types, false),
            Dir::Incoming => self.one_way(id, false, types, false),
            Dir::Both => Box::new(Both {
                a: self.one_way(id, true, types, false).peekable(),
                b: self.one_way(id, false, types, true).peekable(),
            }),
        }
    }

    pub fn scan_values(self, label: LabelId, keys: &[KeyId], f: &mut dyn FnMut(NodeId, &[&Value]) -> bool) {
        if self.plain() {
            let base = self.base;
            base.scan_values(base.label_members(label), keys, &mut |i, values| {
                f(base.node_id(i), values)
            });
            return;
        }
        let mut owned: Vec<Value> = Vec::with_capacity(keys.len());
        for id in self.label_nodes(label) {
            owned.clear();
            owned.extend(keys.iter().map(|k| self.node_value(id, *k).unwrap_or(Value::Null)));
            let refs: Vec<&Value> = owned.iter().collect();
            if !f(id, &refs) {
                return;
            }
        }
    }

    pub fn scan_chunks(self, label: LabelId, keys: &[KeyId], f: &mut dyn FnMut(&[NodeId], &[ColumnChunk<'_>]) -> bool) {
        if self.plain() {
            self.base.scan_chunks(self.base.label_members(label), keys, f);
            return;
        }
        // Through the layers: the general way.
        default_chunks(&self, label, keys, f);
    }

    pub fn index_list(self) -> Vec<IndexInfo> {
        let base_counts: std::collections::HashMap<&str, (usize, usize)> =
            self.base.indexes().map(|(n, _, _, e, d)| (n, (e, d))).collect();
        self.index_specs()
            .into_iter()
            .map(|s| {
                // Entries counted where the index is complete, plus what layers above add.
                let mut entries = 0;
                let mut distinct = 0;
                let mut found = false;
                for l in self.tops() {
                    if let Some(e) = l.index_entries.get(&s.name) {
                        entries += e.index.len();
                        distinct += e.index.distinct_values();
                        if e.home {
                            found = true;
                            break;
                        }
                    }
                }
                if !found {
                    if let Some((e, d)) = base_counts.get(s.name.as_str()) {
                        entries += e;
                        distinct += d;
                    }
                }
                IndexInfo {
                    name: s.name,
                    label: s.label,
                    key: s.key,
                    entries,
                    distinct: distinct.max(usize::from(entries > 0)),
                }
            })
            .collect()
    }

    pub fn seek(self, label: LabelId, key: KeyId, seek: Seek<'_>) -> Option<Vec<NodeId>> {
        let name = match self.tops().next() {
            Some(l) => l
                .specs()
                .iter()
                .find(|s| s.label == label && s.key == key)?
                .name
                .clone(),
            None => {
                return Some(
                    self.base
                        .index_seek(label, key, seek)?
                        .into_iter()
                        .map(|i| self.base.node_id(i))
                        .collect(),
                )
            }
        };
        let mut out: Vec<NodeId> = Vec::new();
        // Top down: each level's own entries (for nodes not shadowed above), until a complete one.
        let mut home_found = false;
        for (level, l) in self.layers.iter().enumerate().rev() {
            let Some(l) = l else { continue };
            if let Some(e) = l.index_entries.get(&name) {
                out.extend(
                    seek_in(&e.index, seek)
                        .into_iter()
                        .filter(|id| !self.node_shadowed(id.0, level + 1)),
                );
                if e.home {
                    home_found = true;
                    break;
                }
            }
        }
        if !home_found {
            let found = self.base.index_seek(label, key, seek)?;
            out.extend(
                found
                    .into_iter()
                    .map(|i| self.base.node_id(i))
                    .filter(|id| !self.node_shadowed(id.0, 0)),
            );
        }
        out.sort_unstable();
        out.dedup();
        Some(out)
    }
}

impl GraphRead for Stack<'_> {
    fn catalog(&self) -> &Catalog {
        self.catalog
    }

    fn node_count(&self) -> usize {
        let d: i64 = self.tops().map(|l| l.node_delta).sum();
        (self.base.node_count() as i64 + d).max(0) as usize
    }

    fn relationship_count(&self) -> usize {
        let d: i64 = self.tops().map(|l| l.rel_delta).sum();
        (self.base.rel_count() as i64 + d).max(0) as usize
    }

    fn label_count(&self, label: LabelId) -> usize {
        let d: i64 = self
            .tops()
            .map(|l| l.label_delta.get(&label).copied().unwrap_or(0))
            .sum();
        (self.base.label_count(label) as i64 + d).max(0) as usize
    }

    fn type_count(&self, t: TypeId) -> usize {
        let d: i64 = self.tops().map(|l| l.type_delta.get(&t).copied().unwrap_or(0)).sum();
        (self.base.type_count(t) as i64 + d).max(0) as usize
    }

    fn property_key_counts(&self) -> Vec<(KeyId, usize)> {
        let mut counts: std::collections::HashMap<KeyId, i64> = self
            .base
            .key_counts()
            .into_iter()
            .map(|(k, a, b)| (k, (a + b) as i64))
            .collect();
        for l in self.tops() {
            for (k, d) in &l.key_delta {
                *counts.entry(*k).or_default() += d;
            }
        }
        let mut out: Vec<(KeyId, usize)> = counts
            .into_iter()
            .filter(|(_, c)| *c > 0)
            .map(|(k, c)| (k, c as usize))
            .collect();
        out.sort_unstable();
        out
    }

    fn id_bounds(&self) -> (u64, u64) {
        self.counters()
    }

    #[inline]
    fn contains_node(&self, id: NodeId) -> bool {
        self.node_at(id).is_some()
    }

    fn node_labels(&self, id: NodeId) -> Option<Vec<LabelId>> {
        Some(match self.node_at(id)? {
            NodeAt::Layer(d) => d.labels.clone(),
            NodeAt::Base(i) => self.base.node_labels(i),
        })
    }

    #[inline]
    fn has_label(&self, id: NodeId, label: LabelId) -> bool {
        match self.node_at(id) {
            Some(NodeAt::Layer(d)) => d.labels.contains(&label),
            Some(NodeAt::Base(i)) => self.base.has_label(i, label),
            None => false,
        }
    }

    #[inline]
    fn node_property(&self, id: NodeId, key: KeyId) -> Option<PropRef<'_>> {
        self.node_prop(id, key)
    }

    fn node_properties(&self, id: NodeId) -> Vec<(KeyId, PropRef<'_>)> {
        self.node_props(id)
    }

    fn relationship(&self, id: RelId) -> Option<RelInfo> {
        match self.rel_at(id)? {
            RelAt::Layer(d) => Some(RelInfo {
                id,
                rel_type: d.rel_type,
                start: NodeId(d.start),
                end: NodeId(d.end),
            }),
            RelAt::Base(i) => self.base.relationship(i),
        }
    }

    fn relationship_property(&self, id: RelId, key: KeyId) -> Option<PropRef<'_>> {
        self.rel_prop(id, key)
    }

    fn relationship_properties(&self, id: RelId) -> Vec<(KeyId, PropRef<'_>)> {
        self.rel_props(id)
    }

    fn nodes(&self) -> NodeIter<'_> {
        self.all_nodes()
    }

    fn nodes_with_label(&self, label: LabelId) -> NodeIter<'_> {
        self.label_nodes(label)
    }

    fn relationships(&self) -> Box<dyn Iterator<Item = RelId> + Send + '_> {
        self.all_rels()
    }

    fn neighbours<'b>(&'b self, id: NodeId, dir: Dir, types: &'b [TypeId]) -> Neighbours<'b> {
        Stack::adjacent(*self, id, dir, types)
    }

    fn neighbours_into(&self, id: NodeId, dir: Dir, types: &[TypeId], out: &mut Vec<(RelId, NodeId)>) {
        Stack::adjacent_into(*self, id, dir, types, out)
    }

    fn scan_label_values(&self, label: LabelId, keys: &[KeyId], f: &mut dyn FnMut(NodeId, &[&Value]) -> bool) {
        self.scan_values(label, keys, f)
    }

    fn scan_label_chunks(
        &self,
        label: LabelId,
        keys: &[KeyId],
        f: &mut dyn FnMut(&[NodeId], &[ColumnChunk<'_>]) -> bool,
    ) {
        self.scan_chunks(label, keys, f)
    }

    fn indexes(&self) -> Vec<IndexInfo> {
        self.index_list()
    }

    fn constraints(&self) -> Arc<Vec<Constraint>> {
        Stack::constraints(*self)
    }

    fn index_seek(&self, label: LabelId, key: KeyId, seek: Seek<'_>) -> Option<Vec<NodeId>> {
        self.seek(label, key, seek)
    }
}

fn seek_in(index: &PropertyIndex, seek: Seek<'_>) -> Vec<NodeId> {
    match seek {
        Seek::Equal(v) => index.equal(v),
        Seek::Range { lower, upper } => index.range(lower, upper),
    }
}

/// `scan_label_chunks` for any view: node by node, every value as a value.
pub(crate) fn default_chunks<G: GraphRead + ?Sized>(
    g: &G,
    label: LabelId,
    keys: &[KeyId],
    f: &mut dyn FnMut(&[NodeId], &[ColumnChunk<'_>]) -> bool,
) {
    let mut ids: Vec<NodeId> = Vec::with_capacity(CHUNK);
    let mut cols: Vec<Vec<Value>> = vec![Vec::with_capacity(CHUNK); keys.len()];
    let mut nodes = g.nodes_with_label(label).peekable();
    while nodes.peek().is_some() {
        ids.clear();
        cols.iter_mut().for_each(Vec::clear);
        for id in nodes.by_ref().take(CHUNK) {
            ids.push(id);
            for (c, k) in cols.iter_mut().zip(keys) {
                c.push(g.node_property(id, *k).map_or(Value::Null, |v| v.into_owned()));
            }
        }
        let chunks: Vec<ColumnChunk<'_>> = cols.iter().map(|c| ColumnChunk::Values(c)).collect();
        if !f(&ids, &chunks) {
            return;
        }
    }
}
