//! A layer: what changed above a lower view (the base, or the base and the
//! committed layer), with what reading needs kept up to date — each label's
//! nodes, the relationships each node gained, index entries, and the
//! changes to every count.
//!
//! A layer starts at the lower view's id counters: an id at or past them
//! was made here (ids are never reused), an id below them lives below.
//! Entities made here sit in plain vectors by id (a bulk `CREATE` or
//! `LOAD CSV` costs a few words per relationship); entities below that
//! changed have an entry with their whole new state (or a mark that they
//! were deleted). Anything without an entry is read from below.
//!
//! The committed changes since the last checkpoint are one layer (shared by
//! every reader of that state); a write transaction's own changes are
//! another on top, which commit folds into the first.

use std::collections::BTreeSet;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::catalog::{KeyId, LabelId, TypeId};
use super::chains::Chains;
use super::constraint::Constraint;
use super::index::PropertyIndex;
use super::stack::Stack;
use crate::value::{NodeId, Value};

/// A node's state: labels and properties, both sorted by id.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct NodeData {
    pub labels: Vec<LabelId>,
    pub props: Vec<(KeyId, Value)>,
}

/// A relationship's state.
#[derive(Clone, Debug, PartialEq)]
pub struct RelData {
    pub rel_type: TypeId,
    pub start: u64,
    pub end: u64,
    pub props: Vec<(KeyId, Value)>,
}

fn property_in(props: &[(KeyId, Value)], key: KeyId) -> Option<&Value> {
    props.binary_search_by_key(&key, |(k, _)| *k).ok().map(|i| &props[i].1)
}

impl NodeData {
    pub fn property(&self, key: KeyId) -> Option<&Value> {
        property_in(&self.props, key)
    }
}

impl RelData {
    pub fn property(&self, key: KeyId) -> Option<&Value> {
        property_in(&self.props, key)
    }
}

/// What a layer holds for one id (the raw entry, for undo and folding).
#[derive(Clone, Debug)]
pub enum Slot<T> {
    /// Nothing: read from below (for an id made here: there is no such entity).
    Below,
    /// It exists below and was deleted here.
    Deleted,
    /// Its state.
    Live(Arc<T>),
}

/// What a layer says of an entity when reading.
pub enum Seen<'a, T> {
    /// Read it from below.
    Below,
    /// There is no such entity (deleted here, or made here and deleted again).
    Gone,
    Live(&'a T),
}

/// An index as defined: name, label, key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexSpec {
    pub name: String,
    pub label: LabelId,
    pub key: KeyId,
}

/// A layer's entries of one index.
#[derive(Clone, Debug)]
pub struct IndexEntries {
    pub index: PropertyIndex,
    /// Complete: every node at and below this layer (the index was made
    /// here); otherwise only the nodes with an entry in this layer.
    pub home: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Layer {
    /// The first node and relationship ids made here.
    pub(super) node_start: u64,
    pub(super) rel_start: u64,
    /// Nodes below that changed.
    pub(super) changed_nodes: FxHashMap<u64, Slot<NodeData>>,
    /// Nodes made here, by `id - node_start` (`None`: deleted again, or never made).
    pub(super) new_nodes: Vec<Option<Arc<NodeData>>>,
    pub(super) changed_rels: FxHashMap<u64, Slot<RelData>>,
    pub(super) new_rels: Vec<Option<RelData>>,
    /// The relationships made here at each node, as offsets into `new_rels`, ascending.
    pub(super) out: Chains,
    pub(super) inc: Chains,
    /// Live nodes below with an entry here, by label.
    pub(super) changed_members: FxHashMap<LabelId, BTreeSet<u64>>,
    /// Live nodes made here, by label, ascending.
    pub(super) new_members: FxHashMap<LabelId, Vec<u64>>,
    /// How many relationships below this layer deleted.
    pub(super) deleted_rels: usize,
    pub(super) node_delta: i64,
    pub(super) rel_delta: i64,
    pub(super) label_delta: FxHashMap<LabelId, i64>,
    pub(super) type_delta: FxHashMap<TypeId, i64>,
    pub(super) key_delta: FxHashMap<KeyId, i64>,
    /// The indexes in effect at this layer.
    pub(super) specs: Vec<IndexSpec>,
    /// Whether this layer changed them.
    pub(super) specs_changed: bool,
    pub(super) index_entries: FxHashMap<String, IndexEntries>,
    /// The constraints in effect at this layer, and whether this layer changed them.
    pub(super) constraints: Arc<Vec<Constraint>>,
    pub(super) constraints_changed: bool,
    pub(super) next_node: u64,
    pub(super) next_rel: u64,
}

fn bump<K: std::hash::Hash + Eq>(map: &mut FxHashMap<K, i64>, k: K, by: i64) {
    let e = map.entry(k).or_insert(0);
    *e += by;
}

fn sorted_insert(v: &mut Vec<u64>, id: u64) {
    match v.last() {
        Some(last) if *last >= id => {
            if let Err(i) = v.binary_search(&id) {
                v.insert(i, id);
            }
        }
        _ => v.push(id),
    }
}

fn sorted_remove(v: &mut Vec<u64>, id: u64) {
    if let Ok(i) = v.binary_search(&id) {
        v.remove(i);
    }
}

impl Layer {
    /// An empty layer above `lower`.
    pub fn above(lower: &Stack) -> Layer {
        let (next_node, next_rel) = lower.counters();
        Layer {
            node_start: next_node,
            rel_start: next_rel,
            next_node,
            next_rel,
            specs: lower.index_specs(),
            constraints: lower.constraints(),
            ..Layer::default()
        }
    }

    /// Whether the layer holds any change (the counters aside).
    pub fn is_empty(&self) -> bool {
        self.changed_nodes.is_empty()
            && self.changed_rels.is_empty()
            && self.new_nodes.is_empty()
            && self.new_rels.is_empty()
            && !self.specs_changed
            && !self.constraints_changed
    }

    /// Whether no entity has an entry here (reads all go below).
    pub fn no_entities(&self) -> bool {
        self.changed_nodes.is_empty()
            && self.changed_rels.is_empty()
            && self.new_nodes.is_empty()
            && self.new_rels.is_empty()
    }

    /// How many entities it holds changes for.
    pub fn len(&self) -> usize {
        self.changed_nodes.len() + self.changed_rels.len() + self.new_nodes.len() + self.new_rels.len()
    }

    pub fn counters(&self) -> (u64, u64) {
        (self.next_node, self.next_rel)
    }

    pub fn set_counters(&mut self, next_node: u64, next_rel: u64) {
        self.next_node = self.next_node.max(next_node);
        self.next_rel = self.next_rel.max(next_rel);
    }

    /// Sets the counters exactly (a rollback takes ids back).
    pub fn reset_counters(&mut self, next_node: u64, next_rel: u64) {
        self.next_node = next_node.max(self.node_start);
        self.next_rel = next_rel.max(self.rel_start);
    }

    #[inline]
    pub fn node(&self, id: u64) -> Seen<'_, NodeData> {
        if id >= self.node_start {
            return match self.new_nodes.get((id - self.node_start) as usize) {
                Some(Some(d)) => Seen::Live(d),
                _ => Seen::Gone,
            };
        }
        if self.changed_nodes.is_empty() {
            return Seen::Below;
        }
        match self.changed_nodes.get(&id) {
            None => Seen::Below,
            Some(Slot::Below) => Seen::Below,
            Some(Slot::Deleted) => Seen::Gone,
            Some(Slot::Live(d)) => Seen::Live(d),
        }
    }

    #[inline]
    pub fn rel(&self, id: u64) -> Seen<'_, RelData> {
        if id >= self.rel_start {
            return match self.new_rels.get((id - self.rel_start) as usize) {
                Some(Some(d)) => Seen::Live(d),
                _ => Seen::Gone,
            };
        }
        if self.changed_rels.is_empty() {
            return Seen::Below;
        }
        match self.changed_rels.get(&id) {
            None | Some(Slot::Below) => Seen::Below,
            Some(Slot::Deleted) => Seen::Gone,
            Some(Slot::Live(d)) => Seen::Live(d),
        }
    }

    /// Whether relationship `id`, below this layer, was deleted here.
    #[inline]
    pub fn deletes_rel(&self, id: u64) -> bool {
        self.deleted_rels > 0 && id < self.rel_start && matches!(self.changed_rels.get(&id), Some(Slot::Deleted))
    }

    /// The raw entry of node `id`.
    pub fn node_slot(&self, id: u64) -> Slot<NodeData> {
        if id >= self.node_start {
            return match self.new_nodes.get((id - self.node_start) as usize) {
                Some(Some(d)) => Slot::Live(d.clone()),
                _ => Slot::Below,
            };
        }
        self.changed_nodes.get(&id).cloned().unwrap_or(Slot::Below)
    }

    pub fn rel_slot(&self, id: u64) -> Slot<RelData> {
        if id >= self.rel_start {
            return match self.new_rels.get((id - self.rel_start) as usize) {
                Some(Some(d)) => Slot::Live(Arc::new(d.clone())),
                _ => Slot::Below,
            };
        }
        self.changed_rels.get(&id).cloned().unwrap_or(Slot::Below)
    }

    /// Every node with an entry here: `(id, state)`, `None` for a deletion
    /// of a node below. Changed ones first (in no order), then made ones ascending.
    pub fn node_entries(&self) -> impl Iterator<Item = (u64, Option<&Arc<NodeData>>)> + '_ {
        let changed = self.changed_nodes.iter().filter_map(|(id, s)| match s {
            Slot::Below => None,
            Slot::Deleted => Some((*id, None)),
            Slot::Live(d) => Some((*id, Some(d))),
        });
        let made = self
            .new_nodes
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.as_ref().map(|d| (self.node_start + i as u64, Some(d))));
        changed.chain(made)
    }

    pub fn rel_entries(&self) -> impl Iterator<Item = (u64, Option<&RelData>)> + '_ {
        let changed = self.changed_rels.iter().filter_map(|(id, s)| match s {
            Slot::Below => None,
            Slot::Deleted => Some((*id, None)),
            Slot::Live(d) => Some((*id, Some(&**d))),
        });
        let made = self
            .new_rels
            .iter()
            .enumerate()
            .filter_map(|(i, d)| d.as_ref().map(|d| (self.rel_start + i as u64, Some(d))));
        changed.chain(made)
    }

    /// The indexes, if this layer changed them.
    pub fn changed_specs(&self) -> Option<&[IndexSpec]> {
        self.specs_changed.then_some(&self.specs[..])
    }

    pub fn specs(&self) -> &[IndexSpec] {
        &self.specs
    }

    /// The constraints, if this layer changed them.
    pub fn changed_constraints(&self) -> Option<&[Constraint]> {
        self.constraints_changed.then_some(&self.constraints[..])
    }

    /// Makes the constraints exactly `constraints`.
    pub fn set_constraints(&mut self, constraints: Arc<Vec<Constraint>>) {
        self.constraints = constraints;
        self.constraints_changed = true;
    }

    /// Sets node `id`'s entry, keeping members, counts and index entries
    /// right. `lower` is the view below this layer.
    pub fn set_node(&mut self, lower: &Stack, id: u64, slot: Slot<NodeData>) {
        let made_here = id >= self.node_start;
        let below = if made_here { None } else { lower.node_data(NodeId(id)) };
        let raw = self.node_slot(id);
        // The node's state before and after, as the view through this layer sees it.
        let visible = |s: &Slot<NodeData>| match s {
            Slot::Below => below.clone(),
            Slot::Deleted => None,
            Slot::Live(d) => Some(d.clone()),
        };
        let (old, new) = (visible(&raw), visible(&slot));
        self.node_delta += i64::from(new.is_some()) - i64::from(old.is_some());
        if let Some(o) = &old {
            o.labels.iter().for_each(|l| bump(&mut self.label_delta, *l, -1));
            o.props.iter().for_each(|(k, _)| bump(&mut self.key_delta, *k, -1));
        }
        if let Some(n) = &new {
            n.labels.iter().for_each(|l| bump(&mut self.label_delta, *l, 1));
            n.props.iter().for_each(|(k, _)| bump(&mut self.key_delta, *k, 1));
        }
        // Out of the members and indexes with the old entry.
        match &raw {
            Slot::Live(d) => {
                for l in &d.labels {
                    if made_here {
                        if let Some(m) = self.new_members.get_mut(l) {
                            sorted_remove(m, id);
                        }
                    } else if let Some(m) = self.changed_members.get_mut(l) {
                        m.remove(&id);
                    }
                }
                self.index_node(id, d, false, false);
            }
            Slot::Deleted => {}
            // Read from below: only a complete index here holds it.
            Slot::Below => {
                if let Some(b) = &below {
                    self.index_node(id, b, true, false);
                }
            }
        }
        // In with the new.
        match &slot {
            Slot::Below => {
                if let Some(b) = &below {
                    self.index_node(id, b, true, true);
                }
            }
            Slot::Deleted => {}
            Slot::Live(d) => {
                for l in &d.labels {
                    if made_here {
                        sorted_insert(self.new_members.entry(*l).or_default(), id);
                    } else {
                        self.changed_members.entry(*l).or_default().insert(id);
                    }
                }
                self.index_node(id, d, false, true);
            }
        }
        if made_here {
            let i = (id - self.node_start) as usize;
            let value = match slot {
                Slot::Live(d) => Some(d),
                _ => None,
            };
            if i >= self.new_nodes.len() {
                if value.is_some() {
                    self.new_nodes.resize(i + 1, None);
                }
            }
            if i < self.new_nodes.len() {
                self.new_nodes[i] = value;
            }
            while matches!(self.new_nodes.last(), Some(None)) {
                self.new_nodes.pop();
            }
        } else {
            match slot {
                Slot::Below => {
                    self.changed_nodes.remove(&id);
                }
                s => {
                    self.changed_nodes.insert(id, s);
                }
            }
        }
    }

    /// Adds (`add`) or removes node `id` in state `d` to or from this layer's
    /// entries of every index whose label it carries (`only_home`: only the
    /// complete ones).
    fn index_node(&mut self, id: u64, d: &NodeData, only_home: bool, add: bool) {
        for s in &self.specs {
            if !d.labels.contains(&s.label) {
                continue;
            }
            let Some(v) = d.property(s.key) else { continue };
            let e = match self.index_entries.get_mut(&s.name) {
                Some(e) => e,
                None if add && !only_home => self
                    .index_entries
                    .entry(s.name.clone())
                    .or_insert_with(|| IndexEntries {
                        index: PropertyIndex::new(s.name.clone(), s.label, s.key),
                        home: false,
                    }),
                None => continue,
            };
            if only_home && !e.home {
                continue;
            }
            if add {
                e.index.insert(v, NodeId(id));
            } else {
                e.index.remove(v, NodeId(id));
            }
        }
    }

    /// Makes the indexes exactly `specs`: new ones get complete entries here
    /// (built from the view through this layer), dropped ones lose theirs.
    pub fn set_indexes(&mut self, lower: &Stack, specs: Vec<IndexSpec>) {
        self.index_entries
            .retain(|name, _| specs.iter().any(|s| &s.name == name));
        for s in &specs {
            if self.specs.contains(s) {
                continue;
            }
            // A new index (or one redefined): built from every node the view
            // through this layer has with the label.
            self.index_entries.remove(&s.name);
            let mut entries: Vec<(Value, NodeId)> = Vec::new();
            {
                let view = lower.with(self);
                for n in view.label_nodes(s.label) {
                    if let Some(v) = view.node_value(n, s.key) {
                        entries.push((v, n));
                    }
                }
            }
            let index = PropertyIndex::build(s.name.clone(), s.label, s.key, entries);
            self.index_entries
                .insert(s.name.clone(), IndexEntries { index, home: true });
        }
        self.specs = specs;
        self.specs_changed = true;
    }

    /// Sets relationship `id`'s entry, keeping adjacency and counts right.
    pub fn set_rel(&mut self, lower: &Stack, id: u64, slot: Slot<RelData>) {
        if id >= self.rel_start {
            let value = match slot {
                Slot::Live(d) => Some(Arc::try_unwrap(d).unwrap_or_else(|d| (*d).clone())),
                _ => None,
            };
            self.set_new_rel(id, value);
            return;
        }
        let below = lower.rel_data(id);
        let raw = self.changed_rels.get(&id).cloned().unwrap_or(Slot::Below);
        let visible = |s: &Slot<RelData>| match s {
            Slot::Below => below.clone(),
            Slot::Deleted => None,
            Slot::Live(d) => Some(d.clone()),
        };
        let (old, new) = (visible(&raw), visible(&slot));
        self.count_rel(old.as_deref(), new.as_deref());
        if matches!(raw, Slot::Deleted) {
            self.deleted_rels -= 1;
        }
        match slot {
            Slot::Below => {
                self.changed_rels.remove(&id);
            }
            Slot::Deleted => {
                self.deleted_rels += 1;
                self.changed_rels.insert(id, Slot::Deleted);
            }
            s => {
                self.changed_rels.insert(id, s);
            }
        }
    }

    fn count_rel(&mut self, old: Option<&RelData>, new: Option<&RelData>) {
        self.rel_delta += i64::from(new.is_some()) - i64::from(old.is_some());
        if let Some(o) = old {
            bump(&mut self.type_delta, o.rel_type, -1);
            o.props.iter().for_each(|(k, _)| bump(&mut self.key_delta, *k, -1));
        }
        if let Some(n) = new {
            bump(&mut self.type_delta, n.rel_type, 1);
            n.props.iter().for_each(|(k, _)| bump(&mut self.key_delta, *k, 1));
        }
    }

    /// Sets the state of relationship `id`, made here (`None`: it is gone).
    fn set_new_rel(&mut self, id: u64, value: Option<RelData>) {
        let off = (id - self.rel_start) as u32;
        let i = off as usize;
        let was = self.new_rels.get(i).and_then(|r| r.clone());
        self.count_rel(was.as_ref(), value.as_ref());
        let (was, now) = (was.map(|r| (r.start, r.end)), value.as_ref().map(|r| (r.start, r.end)));
        if was != now {
            if let Some((s, e)) = was {
                self.out.unlink(s, off);
                self.inc.unlink(e, off);
            }
            if let Some((s, e)) = now {
                self.out.link(s, off);
                self.inc.link(e, off);
            }
        }
        if i >= self.new_rels.len() && value.is_some() {
            self.new_rels.resize_with(i + 1, || None);
        }
        if i < self.new_rels.len() {
            self.new_rels[i] = value;
        }
        while matches!(self.new_rels.last(), Some(None)) {
            self.new_rels.pop();
        }
    }

    /// Makes relationship `id` (made here) with `data`: what `set_rel` does,
    /// in a few steps when it comes past every relationship made so far.
    pub fn push_rel(&mut self, id: u64, data: RelData) {
        debug_assert!(id >= self.rel_start);
        let off = (id - self.rel_start) as u32;
        let i = off as usize;
        if i < self.new_rels.len() {
            self.set_new_rel(id, Some(data));
            return;
        }
        self.count_rel(None, Some(&data));
        self.out.link(data.start, off);
        self.inc.link(data.end, off);
        self.new_rels.resize_with(i, || None);
        self.new_rels.push(Some(data));
    }

    /// Folds `upper` (a layer above this one) into this one: this layer then
    /// reads as the two did. `lower` is the view below this layer.
    pub fn absorb(&mut self, lower: &Stack, upper: &Layer) {
        if upper.specs_changed {
            self.set_indexes(lower, upper.specs.clone());
        }
        if upper.constraints_changed {
            self.set_constraints(upper.constraints.clone());
        }
        // What `upper` says of an id, as an entry of this layer.
        let fold_node = |this: &Layer, id: u64, d: Option<&Arc<NodeData>>| match d {
            Some(d) => Slot::Live(d.clone()),
            None if id < this.node_start => Slot::Deleted,
            None => Slot::Below,
        };
        // Relationship deletions first (a node goes only once its relationships
        // have), then nodes, then the relationships' new states.
        let rel_deletions: Vec<u64> = upper
            .rel_entries()
            .filter(|(_, d)| d.is_none())
            .map(|(id, _)| id)
            .collect();
        for id in rel_deletions {
            let slot = if id < self.rel_start {
                Slot::Deleted
            } else {
                Slot::Below
            };
            self.set_rel(lower, id, slot);
        }
        let mut nodes: Vec<(u64, Option<&Arc<NodeData>>)> = upper.node_entries().collect();
        nodes.sort_unstable_by_key(|(id, d)| (d.is_none(), *id));
        for (id, d) in nodes {
            let slot = fold_node(self, id, d);
            self.set_node(lower, id, slot);
        }
        let mut changed: Vec<(u64, &Arc<RelData>)> = upper
            .changed_rels
            .iter()
            .filter_map(|(id, s)| match s {
                Slot::Live(d) => Some((*id, d)),
                _ => None,
            })
            .collect();
        changed.sort_unstable_by_key(|(id, _)| *id);
        for (id, d) in changed {
            self.set_rel(lower, id, Slot::Live(d.clone()));
        }
        for (i, r) in upper.new_rels.iter().enumerate() {
            if let Some(r) = r {
                let id = upper.rel_start + i as u64;
                self.push_rel(id, r.clone());
            }
        }
        self.set_counters(upper.next_node, upper.next_rel);
    }
}
